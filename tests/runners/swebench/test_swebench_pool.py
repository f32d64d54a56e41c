"""The pool's bounds, in process: a stuck attempt is abandoned at the bound and its late
result can never overwrite the report; a cooperative one ends on its Cancel; real signals
stop it. The work here is plain Python that blocks the way a hung model call does."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from dataclasses import dataclass

import pytest

from patchloop.cancel import Cancel
from runners.swebench.agent_phase import accepts_cancel
from runners.swebench.options import PoolOptions
from runners.swebench.pool import Attempt, Pool
from runners.swebench.progress import PlainProgress
from runners.swebench.redaction import make_redactor
from runners.swebench.report import read_instance_report
from runners.swebench.signals import stop_on_signals


@dataclass(frozen=True)
class Item:
    instance_id: str


def _pool(tmp_path, work, *, timeout=None, workers=1, grace=0.5, ids=("a",)):
    said: list[str] = []
    pool = Pool(
        [Item(i) for i in ids],
        PoolOptions(out_dir=tmp_path, run_id="r1", workers=workers, instance_timeout=timeout),
        work=work,
        progress=PlainProgress(io.StringIO()),
        on_cancel=lambda attempt: None,
        redactor=make_redactor({}, []),
        say=said.append,
        grace_s=grace,
    )
    return pool, said


def test_a_stuck_attempt_is_abandoned_at_the_bound_and_its_late_result_is_discarded(tmp_path):
    release = threading.Event()
    returned = threading.Event()

    def stuck(attempt: Attempt) -> None:
        attempt.fields.update(model_patch="diff", exit_status="submitted")
        release.wait(30)  # ignores its Cancel, like a model call with no deadline
        attempt.fields.update(status="resolved", resolved=True)
        (attempt.folder / "late.txt").write_text("late")
        returned.set()

    pool, _ = _pool(tmp_path, stuck, timeout=1.0)
    started = time.monotonic()
    pool.run()
    took = time.monotonic() - started
    assert took < 1.0 + 0.5 + 1.5, took  # limit + grace + polling (and a loaded machine)
    rep = read_instance_report(tmp_path, "a")
    assert rep["status"] == "error" and rep["exit_status"] == "time_limit", rep
    assert "abandoned" not in rep["error"] and "still in the starting phase" in rep["error"]
    assert rep["model_patch"] == "diff"  # what it had stays in the report
    assert rep["stop_s"] <= 0.5 + 0.5
    release.set()
    assert returned.wait(10)
    time.sleep(0.3)
    pool._collect([])  # the late result reaches the pool: it is dropped
    assert read_instance_report(tmp_path, "a") == rep  # never overwritten


def test_an_attempt_that_honours_its_cancel_ends_right_after_the_bound(tmp_path):
    def polite(attempt: Attempt) -> None:
        attempt.enter("agent")
        attempt.cancel.wait(30)
        attempt.fields.update(exit_status="time_limit", model_patch="")

    pool, _ = _pool(tmp_path, polite, timeout=1.0, grace=5.0)
    started = time.monotonic()
    pool.run()
    assert time.monotonic() - started < 1.0 + 1.5  # far below limit + grace (6 s)
    rep = read_instance_report(tmp_path, "a")
    assert (rep["status"], rep["exit_status"]) == ("error", "time_limit")
    assert "cut in the agent phase" in rep["error"] and rep["stop_s"] < 1.0


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_real_signal_interrupts_in_flight_attempts_within_the_grace(tmp_path, signame):
    def forever(attempt: Attempt) -> None:
        threading.Event().wait(60)

    pool, said = _pool(tmp_path, forever, workers=2, ids=("a", "b", "c"))
    threading.Timer(0.5, os.kill, (os.getpid(), getattr(signal, signame))).start()
    started = time.monotonic()
    with stop_on_signals(pool.interrupt):
        pool.run()
    assert time.monotonic() - started < 0.5 + 0.5 + 1.5
    assert pool.interrupted.is_set() and said and signame in said[0]
    assert read_instance_report(tmp_path, "a")["status"] == "interrupted"
    assert read_instance_report(tmp_path, "b")["status"] == "interrupted"
    assert read_instance_report(tmp_path, "c") is None  # never started: not run


def test_a_second_signal_stops_waiting_at_once(tmp_path):
    def forever(attempt: Attempt) -> None:
        threading.Event().wait(60)

    pool, _ = _pool(tmp_path, forever, grace=30.0)
    threading.Timer(0.3, pool.interrupt).start()
    threading.Timer(0.8, pool.interrupt).start()
    started = time.monotonic()
    pool.run()
    assert time.monotonic() - started < 2.0
    assert read_instance_report(tmp_path, "a")["status"] == "interrupted"


def test_a_bug_in_the_work_is_reported_by_type_and_the_run_goes_on(tmp_path):
    def broken(attempt: Attempt) -> None:
        if attempt.instance_id == "a":
            raise KeyError("boom")
        attempt.fields.update(status="resolved")

    pool, _ = _pool(tmp_path, broken, ids=("a", "b"))
    pool.run()
    rep = read_instance_report(tmp_path, "a")
    assert (rep["status"], rep["exit_status"], rep["error_class"]) == ("error", "runner_error", "bug")
    assert read_instance_report(tmp_path, "b")["status"] == "resolved"


def test_accepts_cancel_reads_the_signature():
    def old(task): ...

    def new(task, *, cancel: Cancel | None = None): ...

    assert not accepts_cancel(old) and accepts_cancel(new)
