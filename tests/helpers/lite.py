"""The real SWE-bench Lite rows (300 test + 23 dev, every field), read from the copy the
runner ships as package data (``runners/swebench/data``), so a clone anywhere runs every
test that needs them."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from runners.swebench import lite
from runners.swebench.lite import SPLITS, lite_file

__all__ = ["SPLITS", "lite_lines", "lite_path", "lite_row", "lite_rows"]


def lite_path(split: str) -> Path:
    """The gzipped JSONL file of one split (``datasets.load_dataset("json")`` reads it as is)."""
    return lite_file(split)


@functools.cache
def lite_lines(split: str) -> tuple[str, ...]:
    """The split's lines exactly as the official file holds them (read once per test process)."""
    return lite.lite_lines(split)


def lite_rows(split: str, n: int | None = None) -> list[dict[str, Any]]:
    """The split's rows as dicts (the first ``n`` when given); a fresh copy each call."""
    lines = lite_lines(split)
    return [json.loads(line) for line in (lines if n is None else lines[:n])]


def lite_row(instance_id: str) -> dict[str, Any]:
    """The row of ``instance_id`` from either split."""
    for split in SPLITS:
        for row in lite_rows(split):
            if row["instance_id"] == instance_id:
                return row
    raise KeyError(f"{instance_id} is in neither Lite split")
