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


NUMBER_FLAGS = {  # flag -> values that are refused (zero where it is meaningless)
    "--eval-timeout": ["nan", "inf", "-inf", "1e400", "-1", "0", "2e6", "abc", ""],
    "--instance-timeout": ["nan", "inf", "-inf", "-5", "0", "NaN", ""],
    "--max-cost": ["nan", "inf", "-inf", "-0.01", "x", ""],
    "--workers": ["0", "-1", "nan", "1.5", ""],
    "--n": ["0", "-3", "inf", ""],
}


@pytest.mark.parametrize(("flag", "value"), [(flag, value) for flag, bad in NUMBER_FLAGS.items() for value in bad])
def test_every_bad_number_is_one_line_naming_the_flag(capsys, flag, value):
    from runners.swebench.cli import parse_args

    with pytest.raises(SystemExit) as info:
        parse_args(["--predictions", "gold", f"{flag}={value}"])  # '=' so that '-inf' is a value
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {flag} must be "), err
    assert repr(value) in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--instance-ids", ""],
        ["--instance-ids", " , "],
        ["--instance-ids", "a", ""],
        ["--filter", ""],
        ["--slice", ""],
        ["--output", ""],
        ["--dataset", ""],
        ["--split", " "],
        ["--image-template", ""],
        ["--model", ""],
        ["--predictions", ""],
    ],
)
def test_an_empty_selection_or_name_is_an_error_never_everything(capsys, argv):
    """`--instance-ids "$IDS"` with IDS unset must not select every instance (with a paid model)."""
    from runners.swebench.cli import parse_args

    with pytest.raises(SystemExit) as info:
        parse_args([*argv] if "--predictions" in argv else ["--predictions", "gold", *argv])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and argv[0] in err, err


def test_good_numbers_are_read_as_numbers():
    from runners.swebench.cli import parse_args

    args = parse_args(
        ["--predictions", "gold", "--eval-timeout", "60", "--instance-timeout", "2.5", "--max-cost", "0", "--n", "3"]
    )
    assert (args.eval_timeout, args.instance_timeout, args.max_cost, args.n, args.workers) == (60.0, 2.5, 0.0, 3, 1)
    assert parse_args(["--predictions", "gold", "--instance-ids", "a,b", "c", "a"]).instance_ids == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("eval_timeout", float("nan")),
        ("eval_timeout", float("inf")),
        ("eval_timeout", 0),
        ("instance_timeout", float("nan")),
        ("instance_timeout", -1.0),
        ("max_cost", float("nan")),
        ("max_cost", float("inf")),
        ("max_cost", -1.0),
        ("workers", 0),
        ("run_id", "../x"),
        ("no_such_option", 1),
    ],
)
def test_the_run_options_refuse_the_same_values_in_code(tmp_path, field, value):
    from pydantic import ValidationError

    from runners.swebench.options import PoolOptions

    with pytest.raises(ValidationError, match=field):
        PoolOptions(**{"out_dir": tmp_path, "run_id": "r", field: value})


@pytest.mark.docker
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.jsonl", "", "is empty: it holds no rows"),
        ("empty.json", "[]", "holds no rows"),
        ("badimage.jsonl", "IMAGE", "field image 'Not A/valid image' is not a valid image reference"),
    ],
)
def test_an_empty_dataset_or_a_bad_image_is_one_line_and_writes_nothing(
    docker_ready, tmp_path, capsys, name, content, message
):
    import json

    from helpers.lite import lite_rows

    from runners.swebench.run import EXIT_ERROR, main

    if content == "IMAGE":
        content = json.dumps(dict(lite_rows("dev", 1)[0], image="Not A/valid image")) + "\n"
    data = tmp_path / name
    data.write_text(content)
    code = main(["--dataset", str(data), "--predictions", "gold", "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.docker
def test_an_image_template_that_makes_a_bad_reference_is_one_line(docker_ready, tmp_path, capsys):
    from runners.swebench.run import EXIT_ERROR, main

    code = main(
        [
            "--dataset",
            "minibench",
            "--predictions",
            "gold",
            "--image-template",
            "Bad/{instance_id}",
            "--output",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err
    assert code == EXIT_ERROR and err.count("\n") == 1 and "not a valid image reference" in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.docker
@pytest.mark.parametrize(
    "override",
    [
        "agent.time_limit_s=.nan",
        "agent.time_limit_s=.inf",
        "agent.time_limit_s=-1",
        "agent.cost_limit=.inf",
        "model.timeout_s=.inf",
        "model.timeout_s=0",
        "model.retry.max_total_delay_s=.nan",
        "agent.step_limit=0",
    ],
)
def test_the_config_equivalents_of_the_time_and_cost_flags_are_refused_in_one_line(
    docker_ready, tmp_path, capsys, override
):
    from runners.swebench.run import EXIT_ERROR, main

    out = tmp_path / "o"
    code = main(["--dataset", "minibench", "--model", "oracle", "-c", override, "--output", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR and err.count("\n") == 1, err
    assert override.split("=")[0] in err and not out.exists()
