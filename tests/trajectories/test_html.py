"""Trajectory pages: every hostile value escaped, scripts forbidden by CSP, calls matched
within their own step."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.html import check_safe
from helpers.pages import write_trajectory

from trajectories.html import trajectory_page
from trajectories.reader import load


def test_hostile_trajectory_is_escaped_everywhere(tmp_path: Path) -> None:
    page = trajectory_page(load(write_trajectory(tmp_path / "t.jsonl")))
    check_safe(page)
    assert page.count("&lt;script&gt;window.__pwned = 1&lt;/script&gt;") >= 8  # task, text, args, outputs, diff...
    assert "<script>window.__pwned" not in page and "<svg onload" not in page


def test_reused_tool_call_ids_stay_in_their_step(tmp_path: Path) -> None:
    page = trajectory_page(load(write_trajectory(tmp_path / "t.jsonl", steps=3)))
    steps = re.split(r'<section class="step" id="step-', page)[1:]
    assert len(steps) == 3
    for number, body in enumerate(steps, 1):
        assert f"output of step {number}" in body
        assert all(f"output of step {other}" not in body for other in (1, 2, 3) if other != number)


def test_folds_long_outputs_marks_unknown_cost_and_retries(tmp_path: Path) -> None:
    page = trajectory_page(load(write_trajectory(tmp_path / "t.jsonl")))
    assert "<details><summary>103 lines" in page  # step 1's output is folded
    assert "unknown" in page and "$0.2500" in page  # an unknown cost is never $0
    assert "2 attempts" in page and "RateLimitError" in page and "context compaction" in page
    assert '<span class="add">+&lt;script&gt;' in page


def test_graded_tests_failing_first(tmp_path: Path) -> None:
    report = {"status": "unresolved", "tests_status": {"FAIL_TO_PASS": {"success": ["t::ok"], "failure": ["t::bad"]}}}
    page = trajectory_page(load(write_trajectory(tmp_path / "t.jsonl")), report=report)
    assert page.index("✗ t::bad") < page.index("✓ t::ok")
    assert "FAIL_TO_PASS: 1 passed, 1 failed" in page
