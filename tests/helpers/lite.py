"""The real SWE-bench Lite rows (300 test + 23 dev, every field), shipped gzipped in
``tests/data`` so a clone anywhere runs every test that needs them."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"
SPLITS = ("test", "dev")


def lite_path(split: str) -> Path:
    """The gzipped JSONL file of one split (``datasets.load_dataset("json")`` reads it as is)."""
    return DATA / f"swe-bench-lite-{split}.jsonl.gz"


@functools.cache
def lite_lines(split: str) -> tuple[str, ...]:
    """The split's lines exactly as the official file holds them."""
    with gzip.open(lite_path(split), "rt", encoding="utf-8") as fp:
        return tuple(fp.read().splitlines())


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
