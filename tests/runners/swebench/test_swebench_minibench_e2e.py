"""The bundled benchmark end to end through `python -m runners.swebench` (one run each, 2 workers).

oracle 30/30, empty 0/30, a deliberately wrong patch resolves nothing, and a patch that
fixes the bug but breaks a PASS_TO_PASS test does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runners.swebench.containers import count_containers

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def minibench_rows(docker_ready) -> list[dict]:
    from runners.minibench import DATASET_PATH, ensure_images

    rows = [json.loads(line) for line in Path(DATASET_PATH).read_text().splitlines() if line.strip()]
    ensure_images(rows)
    return rows


def _run(out: Path, *args: str) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "runners.swebench",
            "--dataset",
            "minibench",
            "--workers",
            "2",
            "--output",
            str(out),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    assert count_containers(json.loads((out / "run.json").read_text())["run_id"]) == 0
    return report


def _preds(path: Path, patches: dict[str, str]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"instance_id": iid, "model_name_or_path": "test", "model_patch": p}) + "\n"
            for iid, p in patches.items()
        )
    )
    return path


def test_oracle_resolves_all_30(minibench_rows, tmp_path):
    rep = _run(tmp_path / "oracle", "--model", "oracle")
    assert (rep["total_instances"], rep["resolved_instances"]) == (30, 30), rep
    assert rep["oracle"] is True and rep["exit_statuses"] == {"submitted": 30}
    one = tmp_path / "oracle" / minibench_rows[0]["instance_id"]
    trajectories = sorted(str(p) for p in (tmp_path / "oracle").glob("*/trajectory.jsonl"))
    assert len(trajectories) == 30
    check = subprocess.run(
        [sys.executable, "-m", "trajectories", "validate", *trajectories],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0 and check.stdout.count(": ok, ") == 30, check.stdout + check.stderr
    inner = json.loads((one / "report.json").read_text())[minibench_rows[0]["instance_id"]]
    assert inner["oracle"] is True and inner["model_name_or_path"] == "oracle"


def test_empty_predictions_resolve_0_of_30(minibench_rows, tmp_path):
    rep = _run(tmp_path / "empty", "--predictions", "empty")
    assert (rep["total_instances"], rep["resolved_instances"], rep["empty_patch_instances"]) == (30, 0, 30)


def test_wrong_patch_resolves_nothing(minibench_rows, tmp_path):
    wrong = (
        "diff --git a/patchloop_wrong.py b/patchloop_wrong.py\nnew file mode 100644\n--- /dev/null\n"
        "+++ b/patchloop_wrong.py\n@@ -0,0 +1 @@\n+ANSWER = 42\n"
    )
    preds = _preds(tmp_path / "wrong.jsonl", {r["instance_id"]: wrong for r in minibench_rows})
    rep = _run(tmp_path / "wrong", "--predictions", str(preds))
    assert (rep["completed_instances"], rep["resolved_instances"]) == (30, 0), rep


def _breaking_conftest(p2p: list[str]) -> str:
    body = [
        "BROKEN = " + repr(p2p[:1]),
        "",
        "",
        "def pytest_runtest_call(item):",
        "    if item.nodeid in BROKEN:",
        "        raise AssertionError('broken by the patch')",
    ]
    return (
        "diff --git a/conftest.py b/conftest.py\nnew file mode 100644\n--- /dev/null\n+++ b/conftest.py\n"
        f"@@ -0,0 +1,{len(body)} @@\n" + "".join(f"+{line}\n" for line in body)
    )


def test_fix_that_breaks_a_pass_to_pass_test_does_not_count(minibench_rows, tmp_path):
    patches = {r["instance_id"]: r["patch"] + _breaking_conftest(json.loads(r["PASS_TO_PASS"])) for r in minibench_rows}
    rep = _run(tmp_path / "p2p", "--predictions", str(_preds(tmp_path / "p2p.jsonl", patches)))
    assert (rep["completed_instances"], rep["resolved_instances"]) == (30, 0), rep
    for row in minibench_rows:
        inner = json.loads((tmp_path / "p2p" / row["instance_id"] / "report.json").read_text())[row["instance_id"]]
        tests = inner["tests_status"]
        assert tests["FAIL_TO_PASS"]["failure"] == []  # the bug IS fixed
        assert tests["PASS_TO_PASS"]["failure"] == json.loads(row["PASS_TO_PASS"])[:1]
