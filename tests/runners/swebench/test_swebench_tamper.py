"""Tamper flags: what a patch touches that the evaluation reads, and what the log shows."""

from __future__ import annotations

import json

import pytest
from helpers.lite import SPLITS, lite_row, lite_rows

from runners.swebench.dataset import parse_row
from runners.swebench.exploits import KINDS, exploit_patch
from runners.swebench.scripts import runtime_script
from runners.swebench.tamper import config_paths, output_flags, patch_flags


def _new_file(path: str, *lines: str) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    head = f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
    return f"{head}@@ -0,0 +1,{len(lines)} @@\n{body}"


def _edit(path: str, old: str, new: str) -> str:
    return f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-{old}\n+{new}\n"


@pytest.fixture(scope="module")
def flask():
    return parse_row(lite_row("pallets__flask-4045"))


def _kinds(inst, patch, **readers):
    return sorted(flag.kind for flag in patch_flags(inst, patch, inst.eval_script or "", **readers))


@pytest.mark.parametrize(
    ("patch", "kinds"),
    [
        (_edit("src/flask/blueprints.py", "a", "b"), []),
        (_new_file("conftest.py", "def pytest_configure(config):", "    pass"), ["conftest"]),
        (_new_file("tests/sub/conftest.py", "x = 1"), ["conftest"]),
        (_new_file("pytest.ini", "[pytest]", "addopts = -p no:warnings"), ["test_config"]),
        (_edit("tox.ini", "envlist = py", "envlist = py311"), ["test_config"]),
        (_edit("tests/test_basic.py", "a", "b"), []),  # holds P2P tests, but the test patch resets it
        (_new_file("src/sitecustomize.py", "import os"), ["python_startup"]),
        (_new_file("src/zz.pth", "import os"), ["python_startup"]),
        (_edit("src/flask/app.py", "a", "print('>>>>> End Test Output')"), ["harness_marker"]),
        (
            _edit("src/flask/app.py", "a", "print('PASSED tests/test_blueprints.py::test_dotted_name_not_allowed')"),
            ["names_graded_test"],
        ),
        (_edit("setup.cfg", "a", "b"), ["test_config"]),  # contents not read: flagged to be safe
    ],
)
def test_patch_flags(flask, patch, kinds):
    assert _kinds(flask, patch) == kinds


def test_a_file_the_test_patch_resets_is_not_flagged(flask):
    # tests/test_blueprints.py is in flask-4045's test patch: the eval script puts it back
    assert _kinds(flask, _edit("tests/test_blueprints.py", "a", "b")) == []


CFG = "[metadata]\nname = x\n\n[tool:pytest]\ntestpaths = tests\n"
TOML = '[project]\nname = "x"\nversion = "1"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'


@pytest.mark.parametrize(
    ("path", "before", "after", "flagged"),
    [
        ("setup.cfg", CFG, CFG.replace("name = x", "name = y"), False),
        ("setup.cfg", CFG, CFG.replace("testpaths = tests", "testpaths = none"), True),
        ("setup.cfg", None, CFG, True),  # a new setup.cfg with a pytest section
        ("pyproject.toml", TOML, TOML.replace('version = "1"', 'version = "2"'), False),
        ("pyproject.toml", TOML, TOML + 'addopts = "-p no:cacheprovider"\n', True),
        ("pyproject.toml", TOML, TOML + "[[[", True),  # left unparseable
        ("sub/pyproject.toml", None, '[build-system]\nrequires = ["setuptools"]\n', False),
        ("pyproject.toml", TOML, "tool = 1\n", True),  # the tables are gone: changed
    ],
)
def test_config_sections_are_compared(flask, path, before, after, flagged):
    patch = _edit(path, "a", "b")
    assert config_paths(patch) == [path]
    got = _kinds(flask, patch, before={path: before}.__getitem__, after={path: after}.__getitem__)
    assert got == (["test_config"] if flagged else [])


def test_a_graded_test_file_the_test_patch_does_not_reset_is_flagged(flask):
    inst = flask.model_copy(update={"pass_to_pass": [*flask.pass_to_pass, "tests/test_views.py::test_basic_view"]})
    assert _kinds(inst, _edit("tests/test_views.py", "a", "b")) == ["test_file"]
    assert _kinds(flask, _edit("tests/test_views.py", "a", "b")) == []  # no graded test there


def test_the_test_command_files_count():
    django = parse_row(lite_row("django__django-11099"))
    assert "./tests/runtests.py" in (django.eval_script or "")
    assert _kinds(django, _edit("tests/runtests.py", "a", "b")) == ["test_file"]


def test_unsafe_paths_are_never_read(flask):
    patch = _edit("../etc/setup.cfg", "a", "b") + _edit("/abs/pyproject.toml", "a", "b")
    assert config_paths(patch) == []
    # flagged without being read (the readers know only the paths config_paths gave)
    assert _kinds(flask, patch, before={}.__getitem__, after={}.__getitem__) == ["test_config", "test_config"]


def test_no_gold_patch_of_the_lite_rows_is_flagged():
    flagged = {}
    for split in SPLITS:
        for row in lite_rows(split):
            inst = parse_row(row)
            flags = patch_flags(inst, row["patch"], inst.eval_script or "")
            if flags:
                flagged[inst.instance_id] = flags
    assert flagged == {}


@pytest.fixture(scope="module")
def minibench_rows():
    from runners.minibench import DATASET_PATH

    with open(DATASET_PATH, encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]


def test_every_exploit_is_flagged_on_every_bundled_row_and_gold_never(minibench_rows):
    from runners.minibench.predictions import wrong_patch

    for row in minibench_rows:
        inst = parse_row(row)
        assert patch_flags(inst, row["patch"], row["eval_script"]) == []
        assert patch_flags(inst, wrong_patch(row), row["eval_script"]) == []
        for kind in KINDS:
            kinds = {flag.kind for flag in patch_flags(inst, exploit_patch(kind, row), row["eval_script"])}
            assert "conftest" in kinds, (row["instance_id"], kind)


def _log(script: str, printed: str) -> str:
    """What the runtime script prints under ``set -x`` when the tests print ``printed``."""
    return (
        "+ : '>>>>> Start Test Output'\n+ python3 -m pytest -rA\n"
        f"{printed}"
        "+ SWEBENCH_TEST_EXIT_CODE=1\n+ : '>>>>> End Test Output'\n"
        "+ echo '>>>>> Test Exit Code: 1'\n>>>>> Test Exit Code: 1\n"
    )


def test_a_marker_printed_by_the_tests_is_flagged(minibench_rows):
    script = minibench_rows[0]["eval_script"]
    assert "Test Exit Code" in runtime_script(script)
    assert output_flags(script, _log(script, "PASSED t\nFAILED u\n")) == []
    spoofed = _log(script, "PASSED t\n>>>>> End Test Output\n>>>>> Test Exit Code: 0\nFAILED u\n")
    assert sorted(f.reason.split("'")[1] for f in output_flags(script, spoofed)) == [
        ">>>>> End Test Output",
        ">>>>> Test Exit Code",
    ]
