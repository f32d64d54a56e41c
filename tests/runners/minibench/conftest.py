"""A tiny authored benchmark (one repo, one instance) that the rule tests break on purpose."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

FIXED_CORE = '''\
def clamp(value, low, high):
    """Limit value to the range [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


def double(x):
    return x * 2
'''

BUG_CORE = FIXED_CORE.replace("        return high\n", "        return value\n")

BASE_TESTS = """\
from tiny.core import clamp, double


def test_clamp_inside():
    assert clamp(5, 0, 10) == 5


def test_clamp_below():
    assert clamp(-3, 0, 10) == 0


def test_double():
    assert double(2) == 4
"""

NEW_TESTS = (
    BASE_TESTS
    + """

def test_clamp_above():
    assert clamp(15, 0, 10) == 10
"""
)

PROBLEM = """\
clamp() lets values above the upper bound through

```python
from tiny.core import clamp
print(clamp(15, 0, 10))
```

prints 15; expected 10, the upper bound.
"""

META = """\
kind: wrong-condition
FAIL_TO_PASS:
  - "tests/test_core.py::test_clamp_above"
created_at: "2026-10-01T10:00:00Z"
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return path


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    """``tmp_path`` laid out like runners/minibench/ with repo ``tiny`` and instance 01."""
    write(tmp_path, "repos/tiny/tiny/__init__.py", "")
    write(tmp_path, "repos/tiny/tiny/core.py", FIXED_CORE)
    write(tmp_path, "repos/tiny/tests/test_core.py", BASE_TESTS)
    inst = tmp_path / "instances/tiny/01-clamp-upper"
    write(inst, "bug/tiny/core.py", BUG_CORE)
    write(inst, "tests/tests/test_core.py", NEW_TESTS)
    write(inst, "problem.md", PROBLEM)
    write(inst, "meta.yaml", META)
    return tmp_path


@pytest.fixture
def instance(bench: Path) -> Path:
    return bench / "instances/tiny/01-clamp-upper"
