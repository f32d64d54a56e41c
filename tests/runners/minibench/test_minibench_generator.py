"""build-dataset: the rows it writes, each authoring rule refused on a bad fixture, determinism."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runners.minibench import DATASET_PATH, MINIBENCH_DIR
from runners.minibench.__main__ import main
from runners.minibench.dataset import DatasetRefused, build_rows
from runners.minibench.evalscript import HEREDOC_DELIMITER
from runners.minibench.rows import dumps_rows, load_rows
from tests.runners.minibench.conftest import BUG_CORE, FIXED_CORE, NEW_TESTS, write


def refused(bench: Path, **kwargs) -> DatasetRefused:
    with pytest.raises(DatasetRefused) as info:
        build_rows(bench, require_kinds=False, **kwargs)
    return info.value


def only_error(bench: Path) -> tuple[str, str]:
    errors = refused(bench).errors
    assert len(errors) == 1, errors
    return errors[0].rule, str(errors[0])


def test_good_instance_gives_a_full_row(bench: Path) -> None:
    rows = build_rows(bench, require_kinds=False)
    assert len(rows) == 1
    row = rows[0]
    assert list(row)[:12] == [
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
    ]
    assert all(isinstance(value, str) for value in row.values())
    assert row["instance_id"] == "minibench__tiny-01"
    assert row["repo"] == "minibench/tiny"
    assert row["version"] == "1.0"
    assert row["environment_setup_commit"] == row["base_commit"] and len(row["base_commit"]) == 40
    assert json.loads(row["FAIL_TO_PASS"]) == ["tests/test_core.py::test_clamp_above"]
    assert json.loads(row["PASS_TO_PASS"]) == [
        "tests/test_core.py::test_clamp_below",
        "tests/test_core.py::test_clamp_inside",
        "tests/test_core.py::test_double",
    ]
    assert row["patch"].startswith("diff --git a/tiny/core.py b/tiny/core.py\n")
    assert "-        return value\n+        return high\n" in row["patch"]
    assert row["test_patch"].startswith("diff --git a/tests/test_core.py b/tests/test_core.py\n")
    assert row["image"] == "patchloop-minibench:tiny-01"
    assert (row["log_parser"], row["eval_type"]) == ("parse_log_pytest", "pass_and_fail")
    script = row["eval_script"]
    assert script.startswith("#!/bin/bash\nset -uxo pipefail\ncd /testbed\n")
    assert f"git checkout {row['base_commit']} tests/test_core.py\n" in script
    assert f"git apply -v - <<'{HEREDOC_DELIMITER}'\n{row['test_patch']}\n{HEREDOC_DELIMITER}\n" in script
    assert (
        ": '>>>>> Start Test Output'\npython3 -m pytest -rA tests/test_core.py\n: '>>>>> End Test Output'\n" in script
    )
    assert script.endswith(f"git checkout {row['base_commit']} tests/test_core.py\n")


def test_rebuild_is_byte_identical(bench: Path) -> None:
    first = dumps_rows(build_rows(bench, require_kinds=False))
    second = dumps_rows(build_rows(bench, require_kinds=False))
    assert first == second


def test_rule_1_original_suite_must_pass_on_base(bench: Path) -> None:
    write(bench, "repos/tiny/tests/test_core.py", NEW_TESTS)  # the original suite now catches the bug
    write(
        bench, "instances/tiny/01-clamp-upper/tests/tests/test_core.py", NEW_TESTS + "\n\ndef test_more():\n    pass\n"
    )
    rule, message = only_error(bench)
    assert rule.startswith("1 ")
    assert "minibench__tiny-01" in message and "test_clamp_above" in message


def test_rule_2_fail_to_pass_must_fail_on_base(bench: Path, instance: Path) -> None:
    write(instance, "meta.yaml", (instance / "meta.yaml").read_text().replace("test_clamp_above", "test_double"))
    rule, message = only_error(bench)
    assert rule == "2 (F2P fail on base)"
    assert "test_double" in message and "PASSED" in message


def test_rule_2_undeclared_failure_is_refused(bench: Path, instance: Path) -> None:
    write(
        instance,
        "tests/tests/test_core.py",
        NEW_TESTS + "\n\ndef test_clamp_top():\n    assert clamp(11, 0, 10) == 10\n",
    )
    rule, message = only_error(bench)
    assert rule == "2 (others pass on base)"
    assert "test_clamp_top" in message


def test_rule_3_everything_passes_on_fixed(bench: Path, instance: Path) -> None:
    write(instance, "tests/tests/test_core.py", NEW_TESTS.replace("== 10\n", "== 11\n"))
    rule, message = only_error(bench)
    assert rule == "3 (all pass on fixed)"
    assert "test_clamp_above" in message


def test_rule_4_two_files_needs_two_bug_files(bench: Path, instance: Path) -> None:
    write(instance, "meta.yaml", (instance / "meta.yaml").read_text().replace("wrong-condition", "two-files"))
    rule, _ = only_error(bench)
    assert rule == "4 (kind two-files)"


def test_rule_4_new_function_needs_a_new_function(bench: Path, instance: Path) -> None:
    write(instance, "meta.yaml", (instance / "meta.yaml").read_text().replace("wrong-condition", "new-function"))
    rule, _ = only_error(bench)
    assert rule == "4 (kind new-function)"


def test_rule_4_new_function_accepted_when_the_bug_lacks_a_helper(bench: Path, instance: Path) -> None:
    helper = "\n\ndef _upper(value, high):\n    return high if value > high else value\n"
    write(bench, "repos/tiny/tiny/core.py", FIXED_CORE + helper)
    write(instance, "bug/tiny/core.py", BUG_CORE)
    write(instance, "meta.yaml", (instance / "meta.yaml").read_text().replace("wrong-condition", "new-function"))
    assert len(build_rows(bench, require_kinds=False)) == 1


def test_rule_4_every_kind_per_repo(bench: Path) -> None:
    with pytest.raises(DatasetRefused) as info:
        build_rows(bench, require_kinds=True)
    rules = [err.rule for err in info.value.errors]
    assert rules == ["4 (varied kinds)"]
    assert "off-by-one" in str(info.value) and "minibench/tiny" in str(info.value)


def test_rule_7_problem_statement_must_not_hold_the_fix(bench: Path, instance: Path) -> None:
    write(instance, "problem.md", (instance / "problem.md").read_text() + "\nMaybe it should `return high`?\n")
    rule, message = only_error(bench)
    assert rule == "7 (no leak)"
    assert "return high" in message


def test_rule_7_base_tree_must_not_hold_the_fix(bench: Path, instance: Path) -> None:
    """The fixed line parked elsewhere in the buggy file (here a dead helper) is a leak into the base."""
    write(instance, "bug/tiny/core.py", BUG_CORE + "\n\ndef _upper(value, high):\n    return high\n")
    rule, message = only_error(bench)
    assert rule == "7 (no leak)"
    assert "the base tree already holds the fix" in message and "return high" in message


def test_format_rules(bench: Path, instance: Path) -> None:
    (instance / "meta.yaml").write_text("kind: typo\nFAIL_TO_PASS: []\ncreated_at: yesterday\n")
    rule, message = only_error(bench)
    assert rule == "format" and "meta.yaml is invalid" in message and "kind" in message
    shutil.copy(bench / "repos/tiny/tiny/core.py", instance / "bug/tiny/core.py")
    write(
        instance,
        "meta.yaml",
        "kind: other\nFAIL_TO_PASS: ['tests/test_core.py::test_clamp_above']\ncreated_at: '2026-10-01T10:00:00Z'\n",
    )
    rule, message = only_error(bench)
    assert rule == "format" and "identical to the fixed file" in message


def test_format_folder_name_and_unknown_bug_path(bench: Path, instance: Path) -> None:
    write(instance, "bug/tiny/missing.py", "x = 1\n")
    assert "no counterpart" in only_error(bench)[1]
    (instance / "bug/tiny/missing.py").unlink()
    instance.rename(instance.with_name("1-clamp"))
    assert "folder name" in only_error(bench)[1]


def test_format_fail_to_pass_must_be_in_the_test_overlay(bench: Path, instance: Path) -> None:
    write(
        instance,
        "meta.yaml",
        (instance / "meta.yaml").read_text().replace("tests/test_core.py::", "tests/test_other.py::"),
    )
    assert "not in a file of the tests/ overlay" in only_error(bench)[1]


def test_duplicate_numbers_are_refused(bench: Path, instance: Path) -> None:
    shutil.copytree(instance, instance.with_name("01-again"))
    errors = refused(bench).errors
    assert any("also used by" in str(err) for err in errors)


def test_cli_refuses_with_a_message_naming_instance_and_rule(bench: Path, instance: Path, capsys) -> None:
    write(instance, "meta.yaml", (instance / "meta.yaml").read_text().replace("test_clamp_above", "test_double"))
    out = bench / "out.jsonl"
    assert main(["build-dataset", "--root", str(bench), "--output", str(out), "--no-kind-coverage"]) == 2
    err = capsys.readouterr().err
    assert "minibench__tiny-01" in err and "F2P fail on base" in err
    assert not out.exists()


@pytest.mark.slow
def test_checked_in_dataset_is_what_the_generator_builds() -> None:
    rows = build_rows(MINIBENCH_DIR)
    assert dumps_rows(rows) == DATASET_PATH.read_text(encoding="utf-8")
    assert [row["instance_id"] for row in load_rows()] == sorted(row["instance_id"] for row in rows)
