"""Fixtures for the trajectories tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from traj_helpers import sample_lines, write_sample


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    return write_sample(tmp_path / "run.jsonl")


@pytest.fixture
def lines(tmp_path: Path) -> list[dict]:
    return sample_lines(tmp_path)
