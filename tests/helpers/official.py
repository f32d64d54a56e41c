"""The official harness's venv for side-by-side tests: made on first use, skipped (visibly)
only where PyPI cannot be reached, and never skipped under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def official_python() -> Path:
    from runners.swebench.official import PyPIUnreachableError, ensure_python

    try:
        return ensure_python()
    except PyPIUnreachableError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the side-by-side tests must run in CI: {exc}")
        pytest.skip(str(exc))
