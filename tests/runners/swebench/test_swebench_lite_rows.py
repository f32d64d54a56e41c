"""Every real SWE-bench Lite row (300 test + 23 dev): parse, image name, eval script."""

from __future__ import annotations

import re

import pytest
from helpers.lite import SPLITS, lite_rows

from runners.swebench.dataset import parse_rows
from runners.swebench.images import image_for, official_image
from runners.swebench.specs import NOT_FETCHED, classic_test_spec, parser_for

# The 11 rows whose shipped eval_script differs from swebench 4.1.0's: their test patch
# creates (10) or renames (sqlfluff-1733) a file, and the two versions list files differently.
CREATED_FILES_DIFFER = {
    "django__django-10924",
    "django__django-12113",
    "django__django-12915",
    "django__django-13448",
    "pallets__flask-4992",
    "sphinx-doc__sphinx-10451",
    "sphinx-doc__sphinx-8595",
    "sphinx-doc__sphinx-8801",
    "sqlfluff__sqlfluff-2419",
    "sqlfluff__sqlfluff-1733",
    "pydicom__pydicom-901",
}


@pytest.fixture(scope="module")
def lite():
    return parse_rows([row for split in SPLITS for row in lite_rows(split)])


def test_every_row_parses(lite):
    assert len(lite) == 323
    assert all(inst.fail_to_pass for inst in lite)
    assert sum(len(i.pass_to_pass) for i in lite) > 10_000


def test_every_image_name_is_the_official_one(lite):
    for inst in lite:
        name = image_for(inst)
        # the rows' `image` is the unpullable placeholder amd64.<iid>:latest, so it is ignored
        assert inst.image == f"amd64.{inst.instance_id}:latest"
        assert name == official_image(inst.instance_id)
        assert re.fullmatch(r"swebench/sweb\.eval\.x86_64\.[a-z0-9_.-]+:latest", name), name
        assert "__" not in name
    first = next(i for i in lite if i.instance_id == "psf__requests-2317")
    assert image_for(first) == "swebench/sweb.eval.x86_64.psf_1776_requests-2317:latest"


def test_image_template_overrides(lite):
    inst = next(i for i in lite if i.instance_id == "astropy__astropy-12907")
    assert image_for(inst, "reg.local/{docker_id}:v1") == "reg.local/astropy_1776_astropy-12907:v1"
    assert image_for(inst, "x/{instance_id}") == f"x/{inst.instance_id}"


def _checkout_files(script: str) -> list[list[str]]:
    return [line.split()[3:] for line in script.splitlines() if line.startswith("git checkout ")]


def _paths(test_patch: str) -> tuple[set[str], set[str]]:
    """(files the patch reads: a/ side minus new files, files it leaves: b/ side)."""
    before, after = set(), set()
    for a, b, head in re.findall(r"^diff --git a/(\S+) b/(\S+)\n((?:(?!diff --git).*\n){0,4})", test_patch, re.M):
        after.add(b)
        if "new file mode" not in head:
            before.add(a)
    return before, after


def test_eval_scripts_from_classic_fields_match_the_rows(lite):
    """312 of 323 byte-identical. In the other 11 only the `git checkout` file lists differ:
    swebench 4.1.0 resets the files the test patch modifies, by their OLD paths (files the
    patch creates are dropped, a renamed file is listed by its old name); the v5 scripts
    shipped in the rows list every file by its NEW path (created and renamed files included)."""
    differing = set()
    for inst in lite:
        classic = inst.model_copy(update={"eval_script": None})
        ours = classic_test_spec(classic).eval_script
        if ours == inst.eval_script:
            continue
        differing.add(inst.instance_id)
        before, after = _paths(inst.test_patch)
        assert before != after, inst.instance_id
        ours_lines, theirs_lines = ours.splitlines(), inst.eval_script.splitlines()
        assert len(ours_lines) == len(theirs_lines)
        changed = [(a, b) for a, b in zip(ours_lines, theirs_lines, strict=False) if a != b]
        assert len(changed) == 2, inst.instance_id  # the reset before and the revert after the tests
        for a, b in changed:
            assert a.startswith("git checkout ") and b.startswith("git checkout ")
            assert set(a.split()[3:]) == before and set(b.split()[3:]) == after, inst.instance_id
    assert len(lite) - len(differing) == 312
    assert differing == CREATED_FILES_DIFFER


def test_fetchers_are_neutralised_only_for_the_env_script(lite):
    flask = next(i for i in lite if i.instance_id == "pallets__flask-4045")
    spec = classic_test_spec(flask)  # would raise ConnectionError without the neutralised fetchers
    assert any(NOT_FETCHED in line for line in spec.env_script_list)
    assert NOT_FETCHED not in spec.eval_script


def test_every_row_has_a_parser_matching_the_repo_map(lite):
    from swebench.harness.log_parsers import MAP_REPO_TO_PARSER

    for inst in lite:
        assert parser_for(inst) is MAP_REPO_TO_PARSER[inst.repo]
