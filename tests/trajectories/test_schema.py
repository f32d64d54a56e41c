from __future__ import annotations

import json
from pathlib import Path

import pytest
from traj_helpers import EXAMPLE

from trajectories import load
from trajectories.checks import check_links
from trajectories.schema import SCHEMA_PATH, schema_text


def test_checked_in_schema_is_current():
    assert SCHEMA_PATH.read_text() == schema_text(), (
        "trajectories/schema.json is stale: regenerate it with "
        "`python -m trajectories schema > trajectories/schema.json` and commit it"
    )


def test_example_file_validates():
    traj = load(EXAMPLE)
    assert not traj.torn and traj.run_end is not None
    assert check_links(traj) == []


def test_example_lines_validate_against_the_json_schema(sample_file: Path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for path in (EXAMPLE, sample_file):
        for line in path.read_text().splitlines():
            validator.validate(json.loads(line))
    bad = json.loads(EXAMPLE.read_text().splitlines()[1])
    bad["surprise"] = 1
    assert list(validator.iter_errors(bad))
