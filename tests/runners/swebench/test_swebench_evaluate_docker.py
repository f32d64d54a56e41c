"""Evaluation in a fresh real container, on the tiny local instances."""

from __future__ import annotations

import pytest

from runners.swebench.containers import count_containers, open_docker_sandbox
from runners.swebench.dataset import parse_row
from runners.swebench.evaluate import evaluate
from runners.swebench.images import image_for
from runners.swebench.specs import eval_script_for

pytestmark = pytest.mark.docker


def _eval(row, patch, tmp_path, run_id, timeout=120):
    inst = parse_row(row)
    return evaluate(
        inst,
        patch,
        eval_script_for(inst),
        image=image_for(inst),
        run_id=run_id,
        out_dir=tmp_path,
        timeout=timeout,
        sandbox_factory=lambda i, r, l: open_docker_sandbox(i, r, l, False),
    )


def test_gold_resolves_and_writes_harness_files(tiny_rows, tmp_path, run_id):
    out = _eval(tiny_rows[0], tiny_rows[0]["patch"], tmp_path, run_id)
    assert out.status == "resolved", (tmp_path / "test_output.txt").read_text()
    assert out.report["tests_status"]["FAIL_TO_PASS"]["success"] == ["tests/test_calc.py::test_add"]
    for name in ("patch.diff", "eval.sh", "test_output.txt", "run_instance.log"):
        assert (tmp_path / name).exists()
    assert ">>>>> Applied Patch" in (tmp_path / "run_instance.log").read_text()
    assert out.report["infra_failure"] is False and out.report["tamper_flags"] == []
    assert count_containers(run_id) == 0


def test_unfixed_code_is_unresolved(tiny_rows, tmp_path, run_id):
    # a patch that touches an unrelated line: applies, tests run, F2P still fails
    patch = tiny_rows[0]["patch"].replace("return a + b", "return a - b  # no-op")
    out = _eval(tiny_rows[0], patch, tmp_path, run_id)
    assert out.status == "unresolved"
    assert out.report["patch_successfully_applied"] is True
    assert out.report["tests_status"]["FAIL_TO_PASS"]["failure"] == ["tests/test_calc.py::test_add"]


def test_patch_that_does_not_apply_is_an_error_with_the_harness_marker(tiny_rows, tmp_path, run_id):
    bad = "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n-nothing like this\n+x\n"
    out = _eval(tiny_rows[0], bad, tmp_path, run_id)
    assert out.status == "error" and out.error == "patch apply failed"
    log = (tmp_path / "run_instance.log").read_text()
    assert ">>>>> Patch Apply Failed" in log
    # 4 commands now (the old test counted 3): swebench 5.x added `git apply --3way` and
    # `patch --forward`, and resets the tree between attempts
    assert log.count("Failed to apply patch to container") == 4
    assert out.report["infra_failure"] is False and out.report["tamper_flags"] == []
    assert count_containers(run_id) == 0


def test_a_patch_already_in_the_tree_counts_as_applied(tiny_rows, tmp_path, run_id):
    """Every apply command fails on it, but `git apply --check --reverse` proves the tree holds it:
    5.x evaluates it (4.1.0 reported a patch apply failure)."""
    reverse = (
        "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,3 +1,3 @@\n"
        " def add(a, b):\n-    return a + b\n+    return a - b\n \n"
    )
    out = _eval(tiny_rows[0], reverse, tmp_path, run_id)
    assert out.status == "unresolved", (tmp_path / "run_instance.log").read_text()
    assert ">>>>> Applied Patch: verified already applied" in (tmp_path / "run_instance.log").read_text()
    assert out.report["patch_successfully_applied"] is True


def test_the_script_that_runs_records_the_test_exit_status(tiny_rows, tmp_path, run_id):
    from swebench.harness.utils import make_test_spec

    out = _eval(tiny_rows[0], tiny_rows[0]["patch"].replace("return a + b", "return a - b  # no-op"), tmp_path, run_id)
    assert out.status == "unresolved"
    assert (tmp_path / "eval.sh").read_text() == make_test_spec(tiny_rows[0]).eval_script
    assert ">>>>> Test Exit Code: 1" in (tmp_path / "test_output.txt").read_text()


def test_spoofed_passed_lines_from_a_conftest_hook_do_not_resolve(tiny_rows, tmp_path, run_id):
    """The hook prints `PASSED <id>` for the FAIL_TO_PASS test after pytest's own summary. The log
    then reads all-passed; only the recorded exit status (1) shows otherwise. Before the runtime
    script recorded it, this patch was resolved."""
    from runners.swebench.exploits import exploit_patch

    out = _eval(tiny_rows[0], exploit_patch("spoof-passed", tiny_rows[0]), tmp_path, run_id)
    output = (tmp_path / "test_output.txt").read_text()
    assert "FAILED tests/test_calc.py::test_add" in output and output.rstrip().count(
        "PASSED tests/test_calc.py::test_add"
    )
    assert out.status == "unresolved" and out.report["resolved"] is False
    assert {"conftest", "names_graded_test"} <= {flag["kind"] for flag in out.report["tamper_flags"]}


def test_eval_timeout_is_an_error(tiny_rows, tmp_path, run_id):
    row = dict(tiny_rows[0], eval_script="#!/bin/bash\necho started\nsleep 60\n")
    out = _eval(row, row["patch"], tmp_path, run_id, timeout=3)
    assert out.status == "error" and "timed out" in out.error
    assert "Timeout error: 3 seconds exceeded." in (tmp_path / "test_output.txt").read_text()
    assert out.report["infra_failure"] is False and out.report["infra_failure_reason"] == "tests_timed_out"
    assert count_containers(run_id) == 0


def test_long_output_is_read_back_whole(tiny_rows, tmp_path, run_id):
    row = dict(tiny_rows[0], eval_script="#!/bin/bash\nseq 1 300000\n")
    _eval(row, row["patch"], tmp_path, run_id)
    lines = (tmp_path / "test_output.txt").read_text().splitlines()
    # the script runs as swebench 5.x runs it, under `set -uxo pipefail`: the trace line comes first
    assert lines[0] == "+ seq 1 300000"
    assert lines[1] == "1" and lines[-1] == "300000" and len(lines) == 300001


def test_agent_container_has_no_network_and_eval_container_has_the_harness_default(base_image, run_id):
    def interfaces(agent: bool, **kw) -> set[str]:
        box = open_docker_sandbox(base_image, run_id, {}, agent, **kw)
        try:
            return set(box.execute("ls /sys/class/net", timeout=30).output.split())
        finally:
            box.close()

    assert interfaces(True) == {"lo"}
    assert "eth0" in interfaces(False)
    assert interfaces(False, eval_network=False) == {"lo"}
    assert count_containers(run_id) == 0
