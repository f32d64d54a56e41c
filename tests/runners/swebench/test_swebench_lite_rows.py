"""Every real SWE-bench Lite row (300 test + 23 dev): parse, image name, eval fields, the
script as swebench 5.x runs it, and how classic 12-field rows are served."""

from __future__ import annotations

import json
import re
import socket

import pytest
from helpers.lite import SPLITS, lite_rows
from helpers.rows import go_row, verified_row

from runners.swebench.dataset import parse_row, parse_rows
from runners.swebench.errors import DatasetError
from runners.swebench.images import image_for, official_image
from runners.swebench.scripts import runtime_script
from runners.swebench.specs import eval_script_for, parser_for, spec_for

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

# The 11 rows whose eval script swebench 4.1.0 built differently from the official one (their
# test patch creates, or renames, a file). 4.1.0's builder is gone: these rows now get the
# official script like every other row (see test_classic_rows_get_the_official_eval_fields).
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
def rows():
    return [row for split in SPLITS for row in lite_rows(split)]


@pytest.fixture(scope="module")
def lite(rows):
    return parse_rows(rows)


def _classic(row):
    return parse_row({k: v for k, v in row.items() if k in CLASSIC_FIELDS})


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


def test_rows_with_their_own_fields_use_them_as_they_are(rows):
    for row in rows:
        spec = spec_for(parse_row(row))
        assert (spec.eval_script, spec.log_parser, spec.eval_type) == (
            row["eval_script"],
            row["log_parser"],
            row["eval_type"],
        )
        assert spec.joined == ()


def test_classic_rows_get_the_official_eval_fields(rows):
    """All 323 classic (12-field) forms get the official row's script, parser and eval type,
    byte for byte: 323/323 where swebench 4.1.0's builder matched 312 (CREATED_FILES_DIFFER)."""
    for row in rows:
        spec = spec_for(_classic(row))
        assert spec.joined == ("eval_script", "log_parser", "eval_type")
        assert spec.eval_script == row["eval_script"], row["instance_id"]
        assert (spec.log_parser, spec.eval_type) == (row["log_parser"], row["eval_type"])
    assert {row["instance_id"] for row in rows} >= CREATED_FILES_DIFFER


def test_classic_rows_are_served_without_the_network(rows, monkeypatch):
    """4.1.0 fetched requirements files from GitHub while building specs (flask-4045 raised
    ConnectionError here); serving a classic row now opens no connection at all."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("serving a classic row opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for row in rows:
        assert eval_script_for(_classic(row))


def test_runtime_script_is_the_one_swebench_5_runs(rows):
    """Our rewrite of each row's script equals swebench 5.0.2's ``make_test_spec(row).eval_script``,
    byte for byte, and records the test exit status right after the tests."""
    from swebench.harness.utils import make_test_spec

    from runners.minibench import DATASET_PATH

    with open(DATASET_PATH, encoding="utf-8") as fp:
        minibench = [json.loads(line) for line in fp if line.strip()]
    extra = [verified_row(), go_row()]
    for row in [*rows, *minibench, *extra]:
        ours = runtime_script(row["eval_script"])
        assert ours == make_test_spec(row).eval_script, row["instance_id"]
        lines = ours.splitlines()
        end = next(i for i, line in enumerate(lines) if ">>>>> End Test Output" in line)
        assert lines[end - 1] == "SWEBENCH_TEST_EXIT_CODE=$?"
        assert lines[end + 1] == 'echo ">>>>> Test Exit Code: $SWEBENCH_TEST_EXIT_CODE"'
        assert ours.count("SWEBENCH_TEST_EXIT_CODE=$?") == 1
    assert "Test Exit Code" not in rows[0]["eval_script"]  # the rows on disk stay as they are


def test_every_row_has_the_parser_swebench_maps_to_its_repo(lite):
    from swebench.harness.log_parsers import PARSER_REGISTRY
    from swebench.harness.log_parsers.python import MAP_REPO_TO_PARSER_PY

    for inst in lite:
        assert parser_for(inst) is MAP_REPO_TO_PARSER_PY[inst.repo] is PARSER_REGISTRY[inst.log_parser]


@pytest.mark.parametrize(
    ("dataset", "named"),
    [
        ("princeton-nlp/SWE-bench_Verified", "--dataset SWE-bench/SWE-bench_Verified"),
        ("princeton-nlp/SWE-bench", "--dataset SWE-bench/SWE-bench"),
        (None, "SWE-bench/SWE-bench_Verified"),
    ],
)
def test_a_classic_row_that_cannot_be_served_names_the_dataset_to_load(dataset, named):
    row = {k: v for k, v in verified_row().items() if k in CLASSIC_FIELDS}
    with pytest.raises(DatasetError) as caught:
        spec_for(parse_row(row), dataset)
    message = str(caught.value)
    assert "\n" not in message and named in message and "astropy__astropy-90001" in message


@pytest.mark.parametrize("field", ["test_patch", "base_commit"])
def test_a_classic_row_that_differs_from_the_official_one_is_refused(rows, field):
    row = dict(rows[0])
    row[field] = row[field] + "\n" if field == "test_patch" else "f" * 40
    with pytest.raises(DatasetError, match=f"its {field} differ.*--dataset SWE-bench/SWE-bench_Lite"):
        spec_for(_classic(row))


def test_a_row_may_lack_only_its_eval_type(rows):
    row = {**go_row(), "eval_type": ""}
    assert spec_for(parse_row(row)).eval_type == "pass_and_fail"
    js = {**go_row(), "repo": "markedjs/marked", "eval_type": ""}  # one of swebench's FAIL_ONLY_REPOS
    assert spec_for(parse_row(js)).eval_type == "fail_only"


def test_an_unknown_parser_or_eval_type_is_one_line():
    with pytest.raises(DatasetError, match="'parse_log_nope' is not a parser"):
        spec_for(parse_row({**go_row(), "log_parser": "parse_log_nope"}))
    with pytest.raises(DatasetError, match="eval_type 'sometimes' is not one of"):
        spec_for(parse_row({**go_row(), "eval_type": "sometimes"}))


@pytest.mark.docker
def test_the_runner_refuses_an_unservable_classic_row_in_one_line(docker_ready, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    data = tmp_path / "verified-classic.jsonl"
    data.write_text(json.dumps({k: v for k, v in verified_row().items() if k in CLASSIC_FIELDS}) + "\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "runners.swebench",
            "--dataset",
            str(data),
            "--predictions",
            "gold",
            "--output",
            str(out),
        ],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], proc.stderr
    assert "astropy__astropy-90001 is not a SWE-bench Lite id" in proc.stderr
    assert "SWE-bench/SWE-bench_Verified" in proc.stderr
    assert not out.exists()
