"""Grading through swebench 5.0.2, verdict for verdict: the package's own ``get_eval_report``
on every row, and the 5.x rules a 4.1.0 grader got wrong."""

from __future__ import annotations

import json

import pytest
from helpers.lite import lite_row
from helpers.rows import go_row, verified_row

from runners.swebench.dataset import parse_row
from runners.swebench.grading import error_labels, grade, logs_eval

CLASSIC_FIELDS = (
    "repo",
    "instance_id",
    "base_commit",
    "patch",
    "test_patch",
    "problem_statement",
    "hints_text",
    "created_at",
    "version",
    "FAIL_TO_PASS",
    "PASS_TO_PASS",
    "environment_setup_commit",
)


def _lite(iid):
    return parse_row(lite_row(iid))


def _classic(iid):
    return parse_row({k: v for k, v in lite_row(iid).items() if k in CLASSIC_FIELDS})


def _pytest_log(passed, failed=(), exit_code=None, extra=""):
    body = "\n".join([*(f"PASSED {t}" for t in passed), *(f"FAILED {t} - AssertionError" for t in failed)])
    tail = f">>>>> Test Exit Code: {exit_code}\n" if exit_code is not None else ""
    return f"+ pytest -rA\n: '>>>>> Start Test Output'\n{body}\n{extra}: '>>>>> End Test Output'\n{tail}"


def _django_log(passed, failed=(), skipped=()):
    lines = [
        *(f"{t} ... ok" for t in passed),
        *(f"{t} ... FAIL" for t in failed),
        *(f"{t} ... skipped 'not today'" for t in skipped),
    ]
    return ">>>>> Start Test Output\n" + "\n".join(lines) + "\n>>>>> End Test Output\n"


def _write(tmp_path, text, name="test_output.txt"):
    path = tmp_path / name
    path.write_text(text)
    return path


CASES = [
    ("pallets__flask-4045", _pytest_log),
    ("psf__requests-2317", _pytest_log),
    ("django__django-11099", _django_log),
    ("sqlfluff__sqlfluff-1625", _pytest_log),
]


@pytest.mark.parametrize(("iid", "make_log"), CASES)
def test_lite_rows_and_their_classic_form_get_the_same_verdicts(tmp_path, iid, make_log):
    """The 16-field row and its 12-field form (fields joined from the shipped official row)
    are graded identically, and the verdicts are the expected ones."""
    inst, classic = _lite(iid), _classic(iid)
    assert classic.eval_script is None and classic.log_parser is None
    everything = inst.fail_to_pass + inst.pass_to_pass
    for log_text, expected in (
        (make_log(everything), True),
        (make_log(everything[1:], everything[:1]), False),  # one F2P fails
        (make_log(inst.fail_to_pass + inst.pass_to_pass[1:], inst.pass_to_pass[:1]), not inst.pass_to_pass),
    ):
        path = _write(tmp_path, log_text)
        official, joined = grade(inst, "diff", path), grade(classic, "diff", path)
        assert official["resolved"] is expected and joined["resolved"] is expected
        assert official == joined
        assert official["infra_failure"] is False


@pytest.mark.parametrize("marker", [">>>>> Patch Apply Failed", ">>>>> Tests Timed Out", ">>>>> Reset Failed"])
def test_failure_markers_mean_not_applied(tmp_path, marker):
    inst = _lite("pallets__flask-4045")
    path = _write(tmp_path, _pytest_log(inst.fail_to_pass + inst.pass_to_pass) + marker + "\n")
    report = grade(inst, "diff", path)
    assert report["patch_successfully_applied"] is False and report["resolved"] is False
    assert logs_eval(inst, path) == ({}, False)


def test_missing_markers_mean_not_applied(tmp_path):
    inst = _lite("pallets__flask-4045")
    assert logs_eval(inst, _write(tmp_path, "PASSED x\n")) == ({}, False)


def test_none_patch_is_reported_as_none(tmp_path):
    report = grade(_lite("pallets__flask-4045"), None, _write(tmp_path, ""))
    assert report["patch_is_None"] is True and report["resolved"] is False


def test_fail_only_needs_a_sign_that_the_suite_ran(tmp_path):
    """4.1.0 resolved an empty fail_only log (missing tests count as passing there) and the
    old test asserted exactly that; 5.x refuses a log with no result and no sign that a suite
    ran, so the same log is now NOT resolved. With a runner summary it still is."""
    inst = _lite("pallets__flask-4045").model_copy(update={"repo": "x/y", "eval_type": "fail_only"})
    assert grade(inst, "diff", _write(tmp_path, _pytest_log([])))["resolved"] is False
    ran = _write(tmp_path, _pytest_log([], extra="  3 passing (12ms)\n"))
    assert grade(inst, "diff", ran)["resolved"] is True


def test_spoofed_passed_lines_with_a_nonzero_exit_status_are_rejected(tmp_path):
    """The conftest-hook spoof: every graded test PASSED in the log, the test command exited 1."""
    inst = _lite("pallets__flask-4045")
    everything = inst.fail_to_pass + inst.pass_to_pass
    spoofed = grade(inst, "diff", _write(tmp_path, _pytest_log(everything, exit_code=1)))
    assert spoofed["resolved"] is False and spoofed["patch_successfully_applied"] is False
    assert grade(inst, "diff", _write(tmp_path, _pytest_log(everything, exit_code=0)))["resolved"] is True
    # a real failure elsewhere explains the status: graded as usual
    other_failed = _pytest_log(everything, ["tests/test_other.py::test_unrelated"], exit_code=1)
    assert grade(inst, "diff", _write(tmp_path, other_failed))["resolved"] is True


def test_skipped_fail_to_pass_fails_and_skipped_pass_to_pass_is_kept(tmp_path):
    inst = _lite("django__django-11099")
    f2p, p2p = inst.fail_to_pass, inst.pass_to_pass
    f2p_skipped = grade(inst, "diff", _write(tmp_path, _django_log(f2p[1:] + p2p, skipped=f2p[:1])))
    assert f2p_skipped["resolved"] is False
    assert f2p_skipped["tests_status"]["FAIL_TO_PASS"]["failure"] == f2p[:1]
    p2p_skipped = grade(inst, "diff", _write(tmp_path, _django_log(f2p + p2p[1:], skipped=p2p[:1])))
    assert p2p_skipped["resolved"] is True
    assert p2p[0] in p2p_skipped["tests_status"]["PASS_TO_PASS"]["success"]


def test_verified_row_with_a_truncated_parametrized_id(tmp_path):
    """SWE-bench Verified stores some ids cut mid-parameter (at a space); parse_log_astropy keeps
    the whole id, so only 5.x's prefix match finds it (an exact match called it missing)."""
    inst = parse_row(verified_row())
    truncated = inst.fail_to_pass[0]
    assert truncated.count("[") > truncated.count("]")
    full = truncated + " /cm**2 /s /Hz)]"
    others = inst.fail_to_pass[1:] + inst.pass_to_pass
    log = "\n".join([*(f"PASSED {t}" for t in [full, *others])])
    report = grade(inst, "diff", _write(tmp_path, f">>>>> Start Test Output\n{log}\n>>>>> End Test Output\n"))
    assert report["resolved"] is True
    assert truncated in report["tests_status"]["FAIL_TO_PASS"]["success"]
    # two candidates that disagree on pass/fail: no match, so the test counts as failed
    mixed = f"PASSED {full}\nFAILED {truncated} /erg)]\n" + "\n".join(f"PASSED {t}" for t in others)
    report = grade(inst, "diff", _write(tmp_path, f">>>>> Start Test Output\n{mixed}\n>>>>> End Test Output\n"))
    assert report["resolved"] is False and report["tests_status"]["FAIL_TO_PASS"]["failure"] == [truncated]


def test_multilingual_row_with_the_go_parser(tmp_path):
    inst = parse_row(go_row())
    lines = [f"--- PASS: {t} (0.00s)" for t in inst.fail_to_pass + inst.pass_to_pass]
    log = ">>>>> Start Test Output\n=== RUN   x\n" + "\n".join(lines) + "\nok  \tgithub.com/x\n>>>>> End Test Output\n"
    assert grade(inst, "diff", _write(tmp_path, log))["resolved"] is True
    failing = log.replace(f"--- PASS: {inst.fail_to_pass[0]}", f"--- FAIL: {inst.fail_to_pass[0]}")
    report = grade(inst, "diff", _write(tmp_path, failing))
    assert report["resolved"] is False
    assert report["tests_status"]["FAIL_TO_PASS"]["failure"] == inst.fail_to_pass[:1]


@pytest.mark.parametrize(
    ("noise", "infra", "reason"),
    [
        ("curl: (6) Could not resolve host: pypi.org", True, "network_unreachable"),
        ("ModuleNotFoundError: No module named 'flask'", False, "missing_module"),
        ("", False, None),
    ],
)
def test_an_ungradeable_log_gets_the_infra_labels(tmp_path, noise, infra, reason):
    inst = _lite("pallets__flask-4045")
    report = grade(inst, "diff", _write(tmp_path, f"{noise}\n: '>>>>> Start Test Output'\n: '>>>>> End Test Output'\n"))
    assert report["resolved"] is False and report["patch_successfully_applied"] is False
    assert report["infra_failure"] is infra and report.get("infra_failure_reason") == reason


def test_error_labels_read_both_logs(tmp_path):
    assert error_labels(tmp_path) == {"infra_failure": False}
    _write(tmp_path, "x\n\nTimeout error: 30 seconds exceeded.")
    assert error_labels(tmp_path) == {"infra_failure": False, "infra_failure_reason": "tests_timed_out"}
    _write(tmp_path, "Error response from daemon: no such container", "run_instance.log")
    assert error_labels(tmp_path)["infra_failure"] is True  # environment tier wins: it matches first


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
    assert json.dumps(report)  # the report is plain JSON
