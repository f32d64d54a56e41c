"""Rows written for the tests in the 16-field (v5) format, for datasets no test ships.

They are NOT copies of real instances: ids, commits and patches are made up; only their
shape is the official one (the 12 classic string fields, F2P/P2P as JSON text, plus
``eval_script``, ``log_parser``, ``eval_type``, ``image``; Verified rows add ``difficulty``).
"""

from __future__ import annotations

import json
from typing import Any

_BASE = "0123456789abcdef0123456789abcdef01234567"


def _script(test_command: str, test_files: list[str]) -> str:
    files = " ".join(test_files)
    return (
        "#!/bin/bash\nset -uxo pipefail\ncd /testbed\n"
        f"git checkout {_BASE} {files}\n"
        "git apply -v - <<'EOF_114329324912'\n(test patch)\nEOF_114329324912\n"
        f": '>>>>> Start Test Output'\n{test_command} {files}\n: '>>>>> End Test Output'\n"
        f"git checkout {_BASE} {files}\n"
    )


def _one_line_diff(path: str) -> str:
    return f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n"


def _row(repo: str, number: int, *, f2p: list[str], p2p: list[str], test_file: str, **v5: str) -> dict[str, Any]:
    owner, name = repo.split("/")
    iid = f"{owner}__{name}-{number}"
    return {
        "repo": repo,
        "instance_id": iid,
        "base_commit": _BASE,
        "patch": _one_line_diff("fix.txt"),
        "test_patch": _one_line_diff(test_file),
        "problem_statement": f"{iid}: written for the tests",
        "hints_text": "",
        "created_at": "2024-01-01T00:00:00Z",
        "version": "1.0",
        "environment_setup_commit": _BASE,
        "FAIL_TO_PASS": json.dumps(f2p),
        "PASS_TO_PASS": json.dumps(p2p),
        "image": f"swebench/sweb.eval.x86_64.{owner}_1776_{name}-{number}:latest",
        "eval_type": "pass_and_fail",
        **v5,
    }


def verified_row() -> dict[str, Any]:
    """An astropy row of SWE-bench Verified's shape whose first FAIL_TO_PASS id is cut
    mid-parameter, as 676 Verified ids are (the full id holds spaces)."""
    test_file = "astropy/units/tests/test_format.py"
    return {
        **_row(
            "astropy/astropy",
            90001,
            f2p=[f"{test_file}::test_ogip_grammar_fail[log(photon", f"{test_file}::test_ogip_units"],
            p2p=[f"{test_file}::test_cds_units"],
            test_file=test_file,
            log_parser="parse_log_astropy",
            eval_script=_script("pytest -rA -vv -o console_output_style=classic --tb=no", [test_file]),
        ),
        "version": "5.1",
        "difficulty": "15 min - 1 hour",
    }


def go_row() -> dict[str, Any]:
    """A Go row of SWE-bench Multilingual's shape, graded by ``parse_log_gotest``."""
    return _row(
        "gin-gonic/gin",
        90002,
        f2p=["TestContextRenderJSON"],
        p2p=["TestContextReset", "TestRouterGroupBasic"],
        test_file="context_test.go",
        log_parser="parse_log_gotest",
        eval_script=_script("go test -v -run .", ["context_test.go"]),
    )
