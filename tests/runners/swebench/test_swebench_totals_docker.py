"""A real run with every kind of outcome: the totals add up; an unfinished or unreadable
instance report is redone by the rerun; a run in which every instance errored exits 3."""

from __future__ import annotations

import json
import signal

import pytest
from helpers.runner import cli, inner, report, run_id, start, totals_add_up, wait_until, with_eval_sleep, write_rows

from runners.swebench.containers import count_containers
from runners.swebench.run import EXIT_ALL_ERRORS, EXIT_INTERRUPTED, EXIT_OK

pytestmark = [pytest.mark.docker, pytest.mark.slow]
UNAPPLIABLE = "diff --git a/nope.py b/nope.py\n--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-x\n+y\n"


def test_a_run_with_every_kind_adds_up_and_the_rerun_redoes_what_is_unfinished(tiny_rows, tmp_path):
    one, two = tiny_rows
    rows = [
        one,
        two,
        dict(one, instance_id="tiny__calc-1e"),
        dict(one, instance_id="tiny__calc-1x"),
        with_eval_sleep(one, 60, "s"),
        dict(two, instance_id="tiny__calc-2n"),
    ]
    data = write_rows(tmp_path / "kinds.jsonl", rows)
    wrong = one["patch"].replace("return a + b", "return b - a")
    patches = {
        "tiny__calc-1": one["patch"],  # resolved
        "tiny__calc-2": wrong,  # applies (to calc.py), fixes nothing of instance 2: unresolved
        "tiny__calc-1e": "",  # empty_patch
        "tiny__calc-1x": UNAPPLIABLE,  # error (patch apply failed)
        "tiny__calc-1s": one["patch"],  # interrupted in its slow eval
        "tiny__calc-2n": two["patch"],  # never started: incomplete
    }
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"instance_id": i, "model_patch": p}) + "\n" for i, p in patches.items()))
    out = tmp_path / "kinds"
    (out / "tiny__calc-2n").mkdir(parents=True)  # an earlier attempt left a report no status can be read from
    (out / "tiny__calc-2n" / "report.json").write_text(json.dumps({"tiny__calc-2n": {"status": "running"}}))
    (out / "run.json").write_text(json.dumps({"run_id": "kinds-1", "model_name_or_path": "preds"}))
    args = ("--dataset", str(data), "--predictions", str(preds), "--workers", "1", "--output", str(out))
    proc = start(*args)
    assert wait_until(lambda: (out / "tiny__calc-1s" / "patch.diff").exists(), 150), proc.stderr
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, err
    rep = report(out)
    got = {k: rep[f"{k}_ids"] for k in ("resolved", "unresolved", "empty_patch", "error", "interrupted", "incomplete")}
    assert got == {
        "resolved": ["tiny__calc-1"],
        "unresolved": ["tiny__calc-2"],
        "empty_patch": ["tiny__calc-1e"],
        "error": ["tiny__calc-1x"],
        "interrupted": ["tiny__calc-1s"],
        "incomplete": ["tiny__calc-2n"],
    }, got
    assert totals_add_up(rep) and rep["total_instances"] == 6
    again = cli(*args)
    assert again.returncode == EXIT_OK, again.stderr
    rep = report(out)
    assert sorted(rep["resolved_ids"]) == ["tiny__calc-1", "tiny__calc-1s", "tiny__calc-2n"], rep
    assert rep["incomplete_instances"] == rep["interrupted_instances"] == 0 and totals_add_up(rep)
    assert inner(out, "tiny__calc-2n")["status"] == "resolved"
    assert count_containers(run_id(out)) == 0


def test_a_run_in_which_every_instance_errored_exits_non_zero(tiny_rows, tiny_dataset, tmp_path):
    preds = tmp_path / "bad.jsonl"
    preds.write_text(
        "".join(json.dumps({"instance_id": r["instance_id"], "model_patch": UNAPPLIABLE}) + "\n" for r in tiny_rows)
    )
    out = tmp_path / "allbad"
    proc = cli("--dataset", str(tiny_dataset), "--predictions", str(preds), "--output", str(out))
    assert proc.returncode == EXIT_ALL_ERRORS, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "every instance ended in error (2/2)" in proc.stderr and "--retry-errors" in proc.stderr
    assert report(out)["error_instances"] == 2  # the report is written all the same
