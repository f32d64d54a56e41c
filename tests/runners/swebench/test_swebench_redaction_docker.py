"""No secret reaches the output folder in clear (run.json's argv, reports, predictions, logs,
trajectories), and an infrastructure failure from another layer is reported by its type and
kind, never as a runner bug."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers.runner import cli, inner, report, run_id, start, wait_until, with_eval_sleep, write_rows

from runners.swebench.containers import count_containers
from runners.swebench.run import EXIT_ALL_ERRORS, EXIT_OK

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ENV_SECRET = "hunter2-env-secret-xyz"
CLI_SECRET = "tok-from-the-cli-123456"


def test_secrets_from_the_environment_and_from_c_overrides_never_land_in_clear(tiny_dataset, tmp_path):
    script = tmp_path / "leak.yaml"
    command = f"echo 'TOKEN = \"{ENV_SECRET}\"' >> calc.py && echo {CLI_SECRET} && sed -i 's/a - b/a + b/' calc.py"
    script.write_text(
        "- tool_calls:\n"
        f"  - id: c1\n    function: {{name: bash, arguments: {{command: {json.dumps(command)}}}}}\n"
        "- tool_calls:\n  - id: c2\n    function: {name: submit, arguments: {}}\n"
    )
    out = tmp_path / "secret"
    proc = cli(
        "--dataset",
        str(tiny_dataset),
        "--model",
        f"scripted:{script}",
        "-c",
        f"model.kwargs.service_token={CLI_SECRET}",
        "--instance-ids",
        "tiny__calc-1",
        "--output",
        str(out),
        env={"SERVICE_PASSWORD": ENV_SECRET},
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    rep = inner(out, "tiny__calc-1")
    assert rep["resolved"] is True, rep  # the real patch was evaluated; only what is written is redacted
    files = [p for p in out.rglob("*") if p.is_file()]
    names = {p.relative_to(out).as_posix() for p in files}
    assert {"run.json", "report.json", "preds.jsonl", "tiny__calc-1/trajectory.jsonl"} <= names
    assert {"tiny__calc-1/run_instance.log", "tiny__calc-1/patch.diff"} <= names
    for path in files:
        text = path.read_text(errors="replace")
        assert ENV_SECRET not in text and CLI_SECRET not in text, path
    argv = json.loads((out / "run.json").read_text())["argv"]
    assert "model.kwargs.service_token=[REDACTED:model.kwargs.service_token]" in argv
    assert "[REDACTED:SERVICE_PASSWORD]" in rep["model_patch"]
    assert "[REDACTED:SERVICE_PASSWORD]" in (out / "tiny__calc-1" / "run_instance.log").read_text()
    # the loop and the writer share the run's redactor: what was sent is what the file holds
    check = subprocess.run(
        [sys.executable, "-m", "trajectories", "validate", str(out / "tiny__calc-1" / "trajectory.jsonl")],
        capture_output=True,
        text=True,
        env=dict(os.environ, SERVICE_PASSWORD=ENV_SECRET),
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_sandbox_that_dies_under_the_evaluation_is_an_infrastructure_error(tiny_rows, tmp_path):
    data = write_rows(tmp_path / "die.jsonl", [with_eval_sleep(tiny_rows[0], 60, "-die")])
    out = tmp_path / "die"
    proc = start("--dataset", str(data), "--predictions", "gold", "--output", str(out))

    def eval_container() -> str:
        if not (out / "run.json").exists():
            return ""
        found = subprocess.run(
            [
                "docker",
                "ps",
                "-q",
                "--filter",
                f"label=patchloop.run_id={run_id(out)}",
                "--filter",
                "label=patchloop.role=eval",
            ],
            capture_output=True,
            text=True,
        )
        return found.stdout.strip()

    assert wait_until(lambda: eval_container() and (out / "tiny__calc-1-die" / "patch.diff").exists(), 90)
    # killed (not removed: `docker rm -f` makes the sandbox's close meet Docker's 409 "removal already in
    # progress", a raw APIError until the sandbox layer maps it, issue 10 item 8)
    subprocess.run(["docker", "kill", eval_container()], check=True, capture_output=True)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_ALL_ERRORS, err
    rep = inner(out, "tiny__calc-1-die")
    assert rep["status"] == "error" and rep["exit_status"] == "evaluate_only", rep
    assert rep["error_class"] == "sandbox_lost" and "runner_error" not in json.dumps(rep), rep
    assert report(out)["error_ids"] == ["tiny__calc-1-die"]
    assert count_containers(run_id(out)) == 0
