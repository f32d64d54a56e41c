"""One run per output: a second process on an --output in use is refused with one line naming
the holder; a lock left by a killed run (kill -9) never blocks. Real second processes."""

from __future__ import annotations

import os
import signal
import time

import pytest
from helpers.runner import cli, inner, report, run_id, start, wait_until, with_eval_sleep, write_rows

from runners.swebench.containers import count_containers
from runners.swebench.run import EXIT_ERROR, EXIT_OK

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def slow_data(tiny_rows, tmp_path):
    return write_rows(tmp_path / "slow.jsonl", [with_eval_sleep(r, 8, "-slow") for r in tiny_rows])


# the same command twice (a resume while the first runs), and one that would redo everything
@pytest.mark.parametrize("second", [(), ("--redo", "--workers", "1")], ids=["same", "redo"])
def test_a_second_run_on_an_output_in_use_is_refused_and_the_first_is_untouched(slow_data, tmp_path, second):
    out = tmp_path / "busy"
    args = ("--dataset", str(slow_data), "--predictions", "gold", "--workers", "2", "--output", str(out))
    first = start(*args)
    try:
        assert wait_until(lambda: (out / "run.json").exists() and list(out.glob("*/patch.diff")), 90)
        started = time.monotonic()
        proc = cli(*args, *second)
        took = time.monotonic() - started
        assert proc.returncode == EXIT_ERROR, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert f"--output {out} is in use by another run: pid {first.pid} (" in lines[0]
        assert "runners.swebench" in lines[0]
        print(f"[measure] refused in {took:.2f} s: {lines[0]}")
        _, err = first.communicate(timeout=180)
    finally:
        first.kill()
    assert first.returncode == EXIT_OK, err
    rep = report(out)
    assert rep["resolved_instances"] == 2, rep  # the second process deleted nothing, reaped nothing
    for iid in rep["resolved_ids"]:
        assert (out / iid / "test_output.txt").exists() and inner(out, iid)["resolved"]
    assert count_containers(run_id(out)) == 0


def test_a_lock_left_by_a_killed_run_never_blocks(slow_data, tmp_path):
    out = tmp_path / "killed"
    args = ("--dataset", str(slow_data), "--predictions", "gold", "--output", str(out))
    first = start(*args)
    assert wait_until(lambda: list(out.glob("*/patch.diff")), 90)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    assert (out / "run.lock").exists()  # the file stays; the lock died with its holder
    proc = cli(*args)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert report(out)["resolved_instances"] == 2
    assert count_containers(run_id(out)) == 0
