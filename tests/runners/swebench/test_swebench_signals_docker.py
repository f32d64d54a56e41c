"""SIGHUP (a terminal closed, an SSH session dropped) stops a run like SIGTERM: the report is
written, the containers reaped, exit 130. Real signals on a real process: sent with kill,
and sent by the kernel when the run's controlling terminal (a pty) is closed."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import subprocess
import termios
import threading
import time

import pytest
from helpers.runner import (
    ROOT,
    inner,
    report,
    run_id,
    runner_argv,
    start,
    totals_add_up,
    wait_until,
    with_eval_sleep,
    write_rows,
)

from runners.swebench.containers import count_containers
from runners.swebench.pool import GRACE_S
from runners.swebench.run import EXIT_INTERRUPTED

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def slow_data(tiny_rows, tmp_path):
    return write_rows(tmp_path / "slow.jsonl", [with_eval_sleep(r, 60, "-hup") for r in tiny_rows])


EXIT_AFTER_REPORTS_S = 8.0  # the final reap, the outputs, Python's shutdown; generous under load


def _check_stopped(out, took: float) -> None:
    rep = report(out)
    assert rep["interrupted_instances"] == 2 and totals_add_up(rep), rep
    cut = [inner(out, i) for i in rep["interrupted_ids"]]
    assert all(r["status"] == "interrupted" and r["stop_s"] <= GRACE_S + 1.0 for r in cut), cut
    assert took <= GRACE_S + EXIT_AFTER_REPORTS_S, took
    assert count_containers(run_id(out)) == 0


@pytest.mark.parametrize("signame", ["SIGHUP", "SIGTERM"])
def test_sighup_stops_like_sigterm(slow_data, tmp_path, signame):
    out = tmp_path / signame
    proc = start("--dataset", str(slow_data), "--predictions", "gold", "--workers", "2", "--output", str(out))
    assert wait_until(lambda: len(list(out.glob("*/patch.diff"))) == 2, 90), proc.stderr
    sent = time.monotonic()
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert f"stopping ({signame})" in err and "Traceback" not in err
    _check_stopped(out, took)
    print(f"[measure] {signame}: exit {took:.2f} s after the signal")


def test_closing_the_terminal_stops_the_run_and_writes_the_report(slow_data, tmp_path):
    out = tmp_path / "tty"
    master, slave = pty.openpty()

    def controlling_tty() -> None:  # runs in the child after setsid: the pty becomes its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        runner_argv("--dataset", str(slow_data), "--predictions", "gold", "--workers", "2", "--output", str(out)),
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=controlling_tty,
    )
    os.close(slave)
    seen = bytearray()

    def drain() -> None:  # the rich panel writes to the terminal: keep the pty from filling up
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert wait_until(lambda: len(list(out.glob("*/patch.diff"))) == 2, 90), bytes(seen)[-2000:]
    finally:
        closed = time.monotonic()
        os.close(master)  # the terminal goes away: the kernel sends SIGHUP to the session leader
    code = proc.wait(timeout=60)
    took = time.monotonic() - closed
    assert code == EXIT_INTERRUPTED
    _check_stopped(out, took)
    print(f"[measure] terminal closed: exit {took:.2f} s later")
