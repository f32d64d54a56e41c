"""Grading through swebench 4.1.0: the official path for Lite rows, the named-parser path for
other rows, and both agree on the same log text."""

from __future__ import annotations

import pytest
from helpers.lite import lite_row

from runners.swebench.dataset import parse_row
from runners.swebench.grading import _uses_official_path, grade, logs_eval


def _lite(iid):
    return parse_row(lite_row(iid))


def _pytest_log(passed, failed=()):
    body = "\n".join([*(f"PASSED {t}" for t in passed), *(f"FAILED {t} - AssertionError" for t in failed)])
    return f"+ pytest -rA\n: '>>>>> Start Test Output'\n{body}\n: '>>>>> End Test Output'\n"


def _django_log(passed, failed=()):
    lines = [*(f"{t} ... ok" for t in passed), *(f"{t} ... FAIL" for t in failed)]
    return ">>>>> Start Test Output\n" + "\n".join(lines) + "\n>>>>> End Test Output\n"


CASES = [
    ("pallets__flask-4045", _pytest_log),
    ("psf__requests-2317", _pytest_log),
    ("django__django-11099", _django_log),
    ("sqlfluff__sqlfluff-1625", _pytest_log),
]


@pytest.mark.parametrize(("iid", "make_log"), CASES)
def test_official_and_named_paths_agree(tmp_path, iid, make_log):
    inst = _lite(iid)
    assert _uses_official_path(inst)
    named = inst.model_copy(update={"repo": "unknown/" + inst.repo})  # forces the named-parser path
    assert not _uses_official_path(named)
    everything = inst.fail_to_pass + inst.pass_to_pass
    for log_text, expected in (
        (make_log(everything), True),
        (make_log(everything[1:], everything[:1]), False),  # one F2P fails
        (make_log(inst.fail_to_pass + inst.pass_to_pass[1:], inst.pass_to_pass[:1]), not inst.pass_to_pass),
    ):
        path = tmp_path / "test_output.txt"
        path.write_text(log_text)
        official = grade(inst, "diff", path)
        ours = grade(named, "diff", path)
        assert official["resolved"] is expected and ours["resolved"] is expected
        assert official["tests_status"]["FAIL_TO_PASS"] == ours["tests_status"]["FAIL_TO_PASS"]
        assert official["tests_status"]["PASS_TO_PASS"] == ours["tests_status"]["PASS_TO_PASS"]


@pytest.mark.parametrize("marker", [">>>>> Patch Apply Failed", ">>>>> Tests Timed Out", ">>>>> Reset Failed"])
def test_failure_markers_mean_not_applied(tmp_path, marker):
    inst = _lite("pallets__flask-4045")
    path = tmp_path / "log.txt"
    path.write_text(_pytest_log(inst.fail_to_pass + inst.pass_to_pass) + marker + "\n")
    report = grade(inst, "diff", path)
    assert report["patch_successfully_applied"] is False and report["resolved"] is False
    assert logs_eval(inst, path.read_text()) == ({}, False)


def test_missing_markers_mean_not_applied():
    inst = _lite("pallets__flask-4045")
    assert logs_eval(inst, "PASSED x\n") == ({}, False)


def test_fail_only_eval_type_uses_swebench_rule(tmp_path):
    inst = _lite("pallets__flask-4045").model_copy(update={"repo": "x/y", "eval_type": "fail_only"})
    path = tmp_path / "log.txt"
    path.write_text(_pytest_log([]))  # nothing reported: fail_only counts missing tests as passing
    assert grade(inst, "diff", path)["resolved"] is True


@pytest.mark.docker
def test_real_pytest_output_from_a_container(tiny_rows, tmp_path, run_id):
    """Real `pytest -rA` text produced in Docker, graded with the row's named parser."""
    from runners.swebench.containers import open_docker_sandbox

    inst = parse_row(tiny_rows[0])
    box = open_docker_sandbox(inst.image, run_id, {}, False)
    try:
        box.write_file("/tmp/t.diff", inst.test_patch.encode())
        box.execute("git apply /tmp/t.diff", cwd="/testbed")
        run = box.execute(
            "echo \": '>>>>> Start Test Output'\"; python3 -m pytest -rA tests/test_calc.py;"
            " echo \": '>>>>> End Test Output'\"",
            cwd="/testbed",
            timeout=120,
        )
    finally:
        box.close()
    path = tmp_path / "out.txt"
    path.write_text(run.output)
    report = grade(inst, "diff", path)
    assert report["patch_successfully_applied"] is True and report["resolved"] is False
    assert report["tests_status"]["FAIL_TO_PASS"]["failure"] == ["tests/test_calc.py::test_add"]
    assert sorted(report["tests_status"]["PASS_TO_PASS"]["success"]) == inst.pass_to_pass
