"""The command line: fast --help, and every usage error is one message before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FLAGS = (
    "--n",
    "--dataset",
    "--split",
    "--instance-ids",
    "--filter",
    "--slice",
    "--shuffle",
    "--seed",
    "--model",
    "--workers",
    "--output",
    "--predictions",
    "--redo",
    "--retry-errors",
    "--instance-timeout",
    "--max-cost",
    "--eval-timeout",
    "--image-template",
    "-c",
    "--config",
    "--plugin",
    "--tools",
    "--no-eval-network",
    "--run-id",
)


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env or {}))
    env.pop("PATCHLOOP_MODEL", None)
    return subprocess.run(
        [sys.executable, "-m", "runners.swebench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_help_is_fast_and_lists_every_flag():
    started = time.monotonic()
    proc = _cli("--help")
    assert proc.returncode == 0
    assert time.monotonic() - started < 5
    for flag in FLAGS:
        assert flag in proc.stdout, flag


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--model", "oracle", "--predictions", "gold"), "not both"),
        (("--predictions", "gold", "--workers", "0"), "--workers must be >= 1"),
        (("--predictions", "gold", "--eval-timeout", "0"), "--eval-timeout must be > 0"),
        (("--predictions", "gold", "--instance-timeout", "0"), "--instance-timeout must be > 0"),
        (("--predictions", "gold", "--instance-timeout", "-5"), "--instance-timeout must be > 0"),
        (("--predictions", "gold", "--max-cost", "-1"), "--max-cost must be >= 0"),
        # the run id names runs/<run_id>/ and the containers' label, like `agent run --run-id`
        (("--predictions", "gold", "--run-id", "a/b"), "--run-id 'a/b': use letters, digits"),
        (("--predictions", "gold", "--run-id", ""), "--run-id '': use letters, digits"),
    ],
)
def test_bad_numbers_and_conflicts_are_usage_errors(tmp_path, args, message):
    proc = _cli(*args, "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.docker
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no model name"),
        (("--model", "oracle", "--plugin", "no_such_plugin_mod"), "no_such_plugin_mod"),
        (("--predictions", "gold", "--instance-ids", "minibench__nope-99"), "unknown instance id"),
        (("--predictions", "gold", "--filter", "("), "not a valid regular expression"),
        (("--predictions", "gold", "--image-template", "x/{foo}:1"), "--image-template 'x/{foo}:1': use only"),
    ],
)
def test_usage_errors_are_one_message_and_write_nothing(docker_ready, tmp_path, args, message):
    out = tmp_path / "out"
    proc = _cli("--dataset", "minibench", "--output", str(out), *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error:") and message in proc.stderr
    assert not out.exists()


@pytest.mark.docker
def test_a_malformed_dataset_file_is_one_line(docker_ready, tmp_path):
    data = tmp_path / "broken.jsonl"
    data.write_text('{"instance_id": "a"}\n{oops\n')
    proc = _cli("--dataset", str(data), "--predictions", "gold", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], proc.stderr  # no datasets log line, no traceback
    assert f"cannot read {data} as json data" in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.docker
def test_ctrl_c_while_loading_is_one_line_and_exit_130(docker_ready, tmp_path):
    import signal
    import socket

    silent = socket.socket()  # a "hub" that accepts and never answers: the runner waits in its hub check
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    env = dict(os.environ, HF_ENDPOINT=f"http://127.0.0.1:{silent.getsockname()[1]}")
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("HF_DATASETS_OFFLINE", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runners.swebench",
            "--dataset",
            "some-org/some-set",
            "--predictions",
            "gold",
            "--output",
            str(tmp_path / "o"),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        silent.settimeout(60)
        conn, _ = silent.accept()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        conn.close()
    finally:
        silent.close()
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted: nothing was run"
    assert not (tmp_path / "o").exists()


@pytest.mark.docker
def test_an_output_that_is_a_file_is_one_line(docker_ready, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("mine")
    proc = _cli("--dataset", "minibench", "--predictions", "gold", "--n", "1", "--output", str(taken))
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"error: cannot write the run's outputs to {taken}: File exists; pick another --output"
    )
    assert taken.read_text() == "mine"
