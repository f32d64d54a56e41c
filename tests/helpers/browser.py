"""A real headless Chromium (Debian's package) driven by Playwright, for page checks.

``.ci/run`` installs ``chromium``; elsewhere the tests that need it skip visibly.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("PATCHLOOP_CHROMIUM", "/usr/bin/chromium")
# As the machine's notes say: without these, Chromium keeps trying a network it cannot reach.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_problem() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; scripts/setup.sh does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (it is a dev dependency: pip install -e '.[dev]')"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A page at ``url`` and the list that collects its console errors and page errors."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}") if message.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(url, wait_until="load", timeout=30_000)
    return page, problems


def non_blank(png: bytes) -> float:
    """The share of pixels of a screenshot that are not the page background (white)."""
    import io

    from PIL import Image

    gray = Image.open(io.BytesIO(png)).convert("L")
    histogram = gray.histogram()
    return 1 - histogram[255] / (gray.width * gray.height)
