"""The run report page: counts, interval, plots, every instance row, comparisons."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers.html import check_safe
from helpers.pages import synthetic_run

from runners.core.report_page import report_page, repository, wilson, write_report_pages


def test_wilson_interval() -> None:
    assert wilson(0, 0) == (0.0, 0.0)
    low, high = wilson(15, 30)
    assert low == pytest.approx(0.3315, abs=1e-3) and high == pytest.approx(0.6685, abs=1e-3)
    assert wilson(30, 30)[1] == 1.0


def test_repository_groups() -> None:
    assert repository("django__django-11099") == "django/django"
    assert repository("minibench__confpy-01") == "minibench/confpy"
    assert repository("plain-task") == "plain-task"


def test_a_300_instance_run_renders_quickly_and_safely(tmp_path: Path) -> None:
    out = synthetic_run(tmp_path / "run", 300)
    started = time.perf_counter()
    target = write_report_pages(out)
    elapsed = time.perf_counter() - started
    page = target.read_text()
    check_safe(page)
    assert page.count('<tr id="org') == 300 and page.count('class="trajectory" href="') == 300
    assert (out / "org1__proj1-1001" / "trajectory.html").is_file()
    assert 'id="headline">33.3%' in page and "95% interval" in page
    assert "+ unknown for 3" in page
    assert elapsed < 30, f"300 instances took {elapsed:.1f} s"


def test_compare_lists_flipped_instances(tmp_path: Path) -> None:
    here = synthetic_run(tmp_path / "a", 12, resolved_every=3, trajectories=False)
    there = synthetic_run(tmp_path / "b", 12, resolved_every=4, trajectories=False)
    page = report_page(here, compare=there)
    flipped = {f"org{i % 7}__proj{i % 7}-{1000 + i}" for i in range(12) if (i % 3 == 0) != (i % 4 == 0)}
    assert f": {len(flipped)} flipped" in page
    for iid in flipped:
        assert f'<td><a href="#{iid}">{iid}</a></td>' in page


def test_a_torn_trajectory_gets_no_page_and_no_link(tmp_path: Path) -> None:
    out = synthetic_run(tmp_path / "run", 2)
    (out / "org0__proj0-1000" / "trajectory.jsonl").write_text("not json\n")
    page = write_report_pages(out).read_text()
    assert not (out / "org0__proj0-1000" / "trajectory.html").exists()
    assert 'href="org0__proj0-1000/trajectory.html"' not in page
