"""Every wait is bounded: --instance-timeout and one signal end a run whose model call never
returns (a local server on 127.0.0.1 that hangs or trickles, through litellm's real path),
within a few seconds; what was in flight is interrupted and resumable."""

from __future__ import annotations

import signal
import time

import pytest
from helpers.model_server import ModelServer
from helpers.runner import cli, inner, report, run_id, start, totals_add_up, wait_until

from runners.swebench.containers import count_containers
from runners.swebench.pool import GRACE_S
from runners.swebench.run import EXIT_ALL_ERRORS, EXIT_INTERRUPTED, EXIT_OK

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ENV = {"OPENAI_API_KEY": "sk-test-not-a-real-key"}
LIMIT = 6.0
# A process's end after its last report: the final reap, the outputs and Python's own shutdown
# (1.4 s here unloaded with litellm imported); generous, as other tests share the two cores.
EXIT_AFTER_REPORTS_S = 8.0


@pytest.mark.parametrize("mode", ["hang", "trickle"])
def test_instance_timeout_ends_an_instance_whose_model_call_never_returns(tiny_dataset, tmp_path, mode):
    out = tmp_path / mode
    with ModelServer(mode) as server:
        started = time.monotonic()
        proc = cli(
            "--dataset",
            str(tiny_dataset),
            *server.model_args(),
            "--instance-ids",
            "tiny__calc-1",
            "--instance-timeout",
            str(LIMIT),
            "--output",
            str(out),
            env=ENV,
            timeout=90,  # model.timeout_s is 120 s per read: without the bound this never ends in time
        )
        elapsed = time.monotonic() - started
    assert proc.returncode == EXIT_ALL_ERRORS, proc.stderr
    rep = inner(out, "tiny__calc-1")
    assert (rep["status"], rep["exit_status"]) == ("error", "time_limit"), rep
    assert f"--instance-timeout {LIMIT} s" in rep["error"] and "agent phase" in rep["error"], rep
    assert server.calls >= 1
    assert rep["wall_s"] <= LIMIT + GRACE_S + 2.0, rep  # within a few seconds of the limit
    assert count_containers(run_id(out)) == 0
    print(
        f"[measure] {mode}: report at {rep['wall_s']} s (limit {LIMIT} s), {rep['stop_s']} s after the cut; "
        f"process {elapsed:.1f} s"
    )


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_one_signal_stops_a_run_stuck_in_model_calls_and_the_rerun_resumes(tiny_dataset, tmp_path, signame):
    out = tmp_path / signame
    args = ("--dataset", str(tiny_dataset), "--workers", "2", "--output", str(out))
    with ModelServer("hang") as server:
        proc = start(*args, *server.model_args(), env=ENV)
        assert wait_until(lambda: server.calls >= 2, 90), proc.stderr
        sent = time.monotonic()
        proc.send_signal(getattr(signal, signame))
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - sent
    assert proc.returncode == EXIT_INTERRUPTED, err
    rep = report(out)
    assert rep["interrupted_instances"] == 2 and totals_add_up(rep), rep
    cut = [inner(out, i) for i in ("tiny__calc-1", "tiny__calc-2")]
    assert all(r["status"] == "interrupted" and r["stop_s"] <= GRACE_S + 1.0 for r in cut), cut
    assert took <= GRACE_S + EXIT_AFTER_REPORTS_S, took
    assert count_containers(run_id(out)) == 0
    print(
        f"[measure] {signame} during two hung model calls: reports {[r['stop_s'] for r in cut]} s after the cut, "
        f"exit {took:.2f} s after the signal"
    )
    with ModelServer("answer") as good:
        again = cli(*args, *good.model_args(), env=ENV)
    assert again.returncode == EXIT_OK, again.stderr
    assert report(out)["resolved_instances"] == 2
