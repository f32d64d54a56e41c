"""A tiny local SWE-bench-style instance set: one 1-file repo image derived from the base image.

Rows carry ``image``/``eval_script``/``log_parser``/``eval_type`` like v5 rows, so the runner
treats them exactly like official ones. Patches are made with real git on the host.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

CALC = """def add(a, b):
    return a - b


def clamp(x, lo, hi):
    return max(lo, min(x, hi + 1))


def mul(a, b):
    return a * b
"""
TESTS = """from calc import mul


def test_mul():
    assert mul(3, 4) == 12


def test_mul_zero():
    assert mul(5, 0) == 0
"""
EVAL_TEMPLATE = """#!/bin/bash
set -uxo pipefail
cd /testbed
git config --global --add safe.directory /testbed
git status
git checkout {base} tests/test_calc.py
git apply -v - <<'EOF_114329324912'
{test_patch}
EOF_114329324912
: '>>>>> Start Test Output'
python3 -m pytest -rA tests/test_calc.py
: '>>>>> End Test Output'
git checkout {base} tests/test_calc.py
"""


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo.parent),
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def _diff(repo: Path, path: str, new_text: str) -> str:
    target = repo / path
    old = target.read_text()
    target.write_text(new_text)
    diff = _git(repo, "diff", path)
    target.write_text(old)
    return diff


def _make_rows(repo: Path, image: str) -> list[dict]:
    base = _git(repo, "rev-parse", "HEAD").strip()
    fixed_add = CALC.replace("return a - b", "return a + b")
    fixed_clamp = CALC.replace("min(x, hi + 1)", "min(x, hi)")
    add_tests = TESTS.replace("from calc import mul", "from calc import add, mul") + (
        "\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    clamp_tests = TESTS.replace("from calc import mul", "from calc import clamp, mul") + (
        "\n\ndef test_clamp_high():\n    assert clamp(9, 0, 5) == 5\n"
    )
    rows = []
    for iid, gold, tests, f2p in (
        ("tiny__calc-1", fixed_add, add_tests, ["tests/test_calc.py::test_add"]),
        ("tiny__calc-2", fixed_clamp, clamp_tests, ["tests/test_calc.py::test_clamp_high"]),
    ):
        test_patch = _diff(repo, "tests/test_calc.py", tests)
        rows.append(
            {
                "repo": "tiny/calc",
                "instance_id": iid,
                "base_commit": base,
                "patch": _diff(repo, "calc.py", gold),
                "test_patch": test_patch,
                "problem_statement": f"{iid}: calc gives wrong results",
                "hints_text": "",
                "created_at": "2024-01-01T00:00:00Z",
                "version": "0.1",
                "environment_setup_commit": base,
                "FAIL_TO_PASS": json.dumps(f2p),
                "PASS_TO_PASS": json.dumps(["tests/test_calc.py::test_mul", "tests/test_calc.py::test_mul_zero"]),
                "log_parser": "parse_log_pytest",
                "eval_type": "pass_and_fail",
                "image": image,
                "eval_script": EVAL_TEMPLATE.format(base=base, test_patch=test_patch.rstrip("\n")),
            }
        )
    return rows


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory, docker_ready) -> Path:
    """A .jsonl of two instances whose shared image is built (idempotently) from the base image."""
    root = tmp_path_factory.mktemp("tiny")
    repo = root / "testbed"
    (repo / "tests").mkdir(parents=True)
    (repo / "calc.py").write_text(CALC)
    (repo / "tests" / "test_calc.py").write_text(TESTS)
    (repo / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    digest = hashlib.sha256((CALC + TESTS + docker_ready).encode()).hexdigest()[:12]
    image = f"patchloop-test-swebench-tiny:{digest}"
    (root / "Dockerfile").write_text(
        f"FROM {docker_ready}\nCOPY testbed /testbed\nWORKDIR /testbed\n"
        "RUN git config --global --add safe.directory /testbed\n"
    )
    subprocess.run(
        ["docker", "build", "-q", "-t", image, "--label", "patchloop.test=swebench", str(root)],
        check=True,
        capture_output=True,
    )
    path = root / "tiny.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _make_rows(repo, image)))
    return path


@pytest.fixture(scope="session")
def tiny_rows(tiny_dataset: Path) -> list[dict]:
    return [json.loads(line) for line in tiny_dataset.read_text().splitlines()]
