"""The report and trajectory pages in a real headless Chromium: no console errors, the
headline and plots visible, every row and link there, nothing from the data runs, and a
300-instance run opens in a few seconds."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.browser import browser_problem, chromium, non_blank, open_page
from helpers.pages import synthetic_run, write_trajectory

from runners.core.report_page import write_report_pages
from trajectories.html import write_trajectory_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = browser_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)
    with chromium() as launched:
        yield launched


def _check_report(browser: Any, report: Path, n: int) -> Any:
    page, problems = open_page(browser, report.as_uri())
    assert page.locator("#headline").is_visible()
    assert page.locator("figure.plot svg").count() >= 4
    assert page.locator("tr.instance").count() == n
    assert page.locator("a.trajectory").count() == n
    assert non_blank(page.screenshot()) > 0.02
    assert problems == []
    return page


@pytest.mark.docker
def test_a_real_bundled_benchmark_run(browser: Any, tmp_path: Path, docker_ready: str) -> None:
    from runners.swebench.run import main

    out = tmp_path / "run"
    assert main(["--dataset", "minibench", "--model", "oracle", "--n", "3", "--output", str(out)]) == 0
    page = _check_report(browser, write_report_pages(out), 3)
    assert page.locator("#headline").inner_text() == "100.0%"
    page.locator("a.trajectory").first.click()
    page.wait_for_load_state("load")
    assert page.locator("#exit-status").inner_text() == "submitted"
    assert page.locator("section.step").count() >= 2 and page.locator("pre.diff .add").count() >= 1
    page.locator("a", has_text="back to the run report").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("report.html#minibench__confpy-01")


def test_hostile_content_never_runs(browser: Any, tmp_path: Path) -> None:
    target = write_trajectory_page(write_trajectory(tmp_path / "t.jsonl"), tmp_path / "t.html")
    page, problems = open_page(browser, target.as_uri())
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("section.step").count() == 2
    assert problems == []


def test_300_instances_open_in_a_few_seconds_and_filter(browser: Any, tmp_path: Path) -> None:
    report = write_report_pages(synthetic_run(tmp_path / "run", 300))
    started = time.perf_counter()
    page = _check_report(browser, report, 300)
    opened = time.perf_counter() - started
    assert opened < 10, f"the 300-instance report took {opened:.1f} s to open"
    page.fill("input[data-filter]", "org3__")
    assert page.locator("#instances-count").inner_text() == str(sum(1 for i in range(300) if i % 7 == 3))
    page.locator("th", has_text="steps").click()
    first = page.locator("tr.instance:not([hidden]) td:nth-child(4)").first.inner_text()
    assert first == "3"
    assert page.evaluate("typeof window.__pwned") == "undefined"
