"""Run outputs are derived from per-instance files; torn files count as not finished."""

from __future__ import annotations

import io
import json

from runners.swebench.pipeline import needs_run
from runners.swebench.progress import PlainProgress, print_summary
from runners.swebench.report import summarize, write_instance_report, write_outputs


def _write(out, iid, status, patch="diff", cost=0.5, exit_status="submitted"):
    write_instance_report(
        out,
        iid,
        {
            "resolved": status == "resolved",
            "status": status,
            "model_patch": patch,
            "model_name_or_path": "m",
            "cost_usd": cost,
            "exit_status": exit_status,
            "tokens": {"prompt_tokens": 10, "completion_tokens": 2},
            "wall_s": 3.0,
        },
    )


def test_summary_groups_counts_and_preds(tmp_path):
    _write(tmp_path, "a", "resolved")
    _write(tmp_path, "b", "unresolved")
    _write(tmp_path, "c", "empty_patch", patch="", exit_status="step_limit")
    _write(tmp_path, "d", "error")
    _write(tmp_path, "e", "interrupted")
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "report.json").write_text('{"f": {"status": "reso')  # torn
    ids = ["a", "b", "c", "d", "e", "f", "g"]
    summary = summarize(tmp_path, ids, model_name="m", elapsed_s=12.0)
    rep = summary.report
    assert rep["total_instances"] == 7
    assert (rep["resolved_ids"], rep["unresolved_ids"], rep["empty_patch_ids"], rep["error_ids"]) == (
        ["a"],
        ["b"],
        ["c"],
        ["d"],
    )
    assert rep["interrupted_ids"] == ["e"] and rep["incomplete_ids"] == ["f", "g"]
    assert rep["completed_instances"] == 2 and rep["submitted_instances"] == 4
    assert rep["resolved_percent"] == round(100 / 7, 2)
    assert rep["cost_usd"] == 2.0 and rep["tokens"] == {"prompt_tokens": 40, "completion_tokens": 8}
    assert rep["exit_statuses"] == {"step_limit": 1, "submitted": 3}
    write_outputs(tmp_path, summary)
    preds = [json.loads(line) for line in (tmp_path / "preds.jsonl").read_text().splitlines()]
    assert [p["instance_id"] for p in preds] == ["a", "b", "c", "d"]
    assert set(preds[0]) == {"instance_id", "model_name_or_path", "model_patch"}
    assert json.loads((tmp_path / "preds.json").read_text())["c"]["model_patch"] == ""
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_resume_rules(tmp_path):
    _write(tmp_path, "done", "resolved")
    _write(tmp_path, "err", "error")
    _write(tmp_path, "int", "interrupted")
    (tmp_path / "torn").mkdir()
    assert not needs_run(tmp_path, "done", redo=False, retry_errors=False)
    assert needs_run(tmp_path, "done", redo=True, retry_errors=False)
    assert not needs_run(tmp_path, "err", redo=False, retry_errors=False)
    assert needs_run(tmp_path, "err", redo=False, retry_errors=True)
    assert needs_run(tmp_path, "int", redo=False, retry_errors=False)
    assert needs_run(tmp_path, "torn", redo=False, retry_errors=False)
    assert needs_run(tmp_path, "never", redo=False, retry_errors=False)


def test_plain_progress_and_summary_table(tmp_path):
    stream = io.StringIO()
    progress = PlainProgress(stream)
    progress.start(2, 0, 0, 0.0)
    progress.worker(0, "a", "agent")
    progress.finished("a", {"status": "resolved", "exit_status": "submitted", "cost_usd": 0.25})
    text = stream.getvalue()
    assert "worker 0: a agent" in text and "1/2 done, 1 resolved, $0.2500" in text
    progress.finished("b", {"status": "interrupted", "exit_status": "submitted", "cost_usd": 0.0})
    assert "b: interrupted (submitted) 1/2 done" in stream.getvalue()  # redone next run: not counted as done
    _write(tmp_path, "a", "resolved")
    rep = summarize(tmp_path, ["a", "b"], model_name="oracle", elapsed_s=5).report
    table = io.StringIO()
    print_summary(rep, str(tmp_path), table)
    assert "ORACLE" in table.getvalue() and "1 (50.0% of total)" in table.getvalue()


def test_rich_panel_shows_counts_and_one_line_per_worker():
    import io as _io

    from rich.console import Console

    from runners.swebench.progress import RichProgress

    progress = RichProgress(2)
    progress.state.total, progress.state.done, progress.state.resolved, progress.state.cost = 30, 3, 2, 0.5
    progress.worker(1, "x__y-1", "eval")
    buffer = _io.StringIO()
    Console(file=buffer, width=160).print(progress._render())
    text = buffer.getvalue()
    assert "3/30 done" in text and "2 resolved" in text and "$0.5000" in text
    assert "worker 0" in text and "idle" in text and "worker 1" in text and "x__y-1 eval" in text


def test_resume_keeps_the_run_id_and_refuses_another_model_s_output(tmp_path):
    import pytest

    from runners.swebench.errors import RunnerError
    from runners.swebench.files import write_json_atomic
    from runners.swebench.run import run_id_for

    fresh = run_id_for(tmp_path / "new", None, "m")
    assert fresh and run_id_for(tmp_path / "new", "mine", "m") == "mine"
    write_json_atomic(tmp_path / "run.json", {"run_id": "r1", "model_name_or_path": "gold"})
    assert run_id_for(tmp_path, None, "gold") == "r1" == run_id_for(tmp_path, "r1", "gold")
    with pytest.raises(RunnerError, match="belongs to run r1"):
        run_id_for(tmp_path, "r2", "gold")
    with pytest.raises(RunnerError, match="holds the results of 'gold', not 'oracle'"):
        run_id_for(tmp_path, None, "oracle")
    assert run_id_for(tmp_path, None, "oracle", redo=True) == "r1"


def test_instances_without_a_known_price_are_counted_and_shown(tmp_path):
    """A model litellm has no price for (a local server) records cost_usd null: the run's
    cost must not read as a plain "$0.0000" then, as if the run had been free."""
    _write(tmp_path, "a", "resolved", cost=0.25)
    _write(tmp_path, "b", "empty_patch", patch="", cost=None)
    _write(tmp_path, "c", "interrupted", cost=None)  # redone next run: not counted
    write_instance_report(
        tmp_path,
        "d",
        {
            "status": "error",
            "model_patch": "",
            "cost_usd": None,
            "exit_status": "model_error",
            "tokens": {"prompt_tokens": 0},
        },
    )
    # d: no call was answered (a missing key): nothing was spent, the price is not the question
    rep = summarize(tmp_path, ["a", "b", "c", "d"], model_name="openai/local", elapsed_s=1).report
    assert rep["cost_usd"] == 0.25 and rep["unpriced_instances"] == 1
    table = io.StringIO()
    print_summary(rep, str(tmp_path), table)
    assert "$0.2500 + unknown (1 instance without a known price)" in " ".join(table.getvalue().split())
    _write(tmp_path, "b", "empty_patch", patch="", cost=0.0)
    rep = summarize(tmp_path, ["a", "b"], model_name="m", elapsed_s=1).report
    assert rep["unpriced_instances"] == 0
    table = io.StringIO()
    print_summary(rep, str(tmp_path), table)
    assert "unknown" not in table.getvalue()


def test_a_report_with_an_unknown_or_missing_status_is_redone_and_counted_incomplete(tmp_path):
    from helpers.runner import totals_add_up

    _write(tmp_path, "a", "resolved")
    _write(tmp_path, "weird", "half-done")
    write_instance_report(tmp_path, "none", {"model_patch": "diff", "exit_status": "submitted"})
    write_instance_report(tmp_path, "null", {"status": None})
    (tmp_path / "list").mkdir()
    (tmp_path / "list" / "report.json").write_text('{"list": ["not", "a", "dict"]}')
    for iid in ("weird", "none", "null", "list"):
        assert needs_run(tmp_path, iid, redo=False, retry_errors=False), iid
    assert not needs_run(tmp_path, "a", redo=False, retry_errors=False)
    rep = summarize(tmp_path, ["a", "weird", "none", "null", "list"], model_name="m", elapsed_s=1).report
    assert rep["incomplete_ids"] == ["weird", "none", "null", "list"] and rep["resolved_ids"] == ["a"]
    assert totals_add_up(rep) and rep["submitted_instances"] == 1  # unfinished: not in the predictions


def test_totals_always_add_up_over_every_kind(tmp_path):
    from helpers.runner import totals_add_up

    kinds = ["resolved", "unresolved", "empty_patch", "error", "interrupted", "other", None]
    for k, status in enumerate(kinds):
        if status is not None:
            _write(tmp_path, f"i{k}", status)
    rep = summarize(tmp_path, [f"i{k}" for k in range(len(kinds))], model_name="m", elapsed_s=1).report
    assert totals_add_up(rep) and rep["total_instances"] == 7 and rep["incomplete_instances"] == 2


def test_summary_counts_resolved_and_not_flagged_and_shows_it(tmp_path):
    """A patch the tamper check flagged keeps the official verdict, and the summary shows
    "resolved and not flagged" beside the headline (issue 12)."""
    _write(tmp_path, "clean", "resolved")
    write_instance_report(
        tmp_path,
        "hooked",
        {
            "resolved": True,
            "status": "resolved",
            "model_patch": "diff",
            "tamper_flags": [{"kind": "conftest", "path": "conftest.py", "reason": "adds a conftest"}],
        },
    )
    _write(tmp_path, "plain", "unresolved")
    rep = summarize(tmp_path, ["clean", "hooked", "plain"], model_name="m", elapsed_s=1.0).report
    assert rep["resolved_instances"] == 2
    assert rep["resolved_unflagged_ids"] == ["clean"] and rep["tamper_flagged_ids"] == ["hooked"]
    out = io.StringIO()
    print_summary(rep, str(tmp_path), stream=out)
    assert "resolved unflagged" in out.getvalue() and "tamper-flagged" in out.getvalue()
