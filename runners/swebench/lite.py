"""The official SWE-bench Lite rows (300 test + 23 dev, all 16 fields), shipped gzipped as data.

They are the official file's lines unchanged (``SWE-bench/SWE-bench`` at commit ``6ddacb0``,
``data/SWE-bench_Lite/{test,dev}.parquet``, written one JSON object a line). The runner uses
them for one thing: a classic 12-field row of one of these ids (what older dataset ids such
as ``princeton-nlp/SWE-bench_Lite`` serve) gets the ``eval_script``, ``log_parser`` and
``eval_type`` of the official row of the same id, once its ``base_commit`` and
``test_patch`` are checked to be the same (see ``specs.py``).
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLITS = ("test", "dev")
LITE_DATASET = "SWE-bench/SWE-bench_Lite"
JOINED_FIELDS = ("eval_script", "log_parser", "eval_type")


def lite_file(split: str) -> Path:
    """The gzipped JSONL file of one split (``datasets.load_dataset("json")`` reads it as is)."""
    if split not in SPLITS:
        raise ValueError(f"unknown SWE-bench Lite split {split!r}; use one of {', '.join(SPLITS)}")
    return DATA_DIR / f"swe-bench-lite-{split}.jsonl.gz"


def lite_lines(split: str) -> tuple[str, ...]:
    """The split's lines exactly as the official file holds them."""
    with gzip.open(lite_file(split), "rt", encoding="utf-8") as fp:
        return tuple(fp.read().splitlines())


@functools.cache
def _index() -> Mapping[str, Mapping[str, str]]:
    """instance_id -> the fields a join needs (read once per process; never changed)."""
    keep = ("instance_id", "repo", "base_commit", "test_patch", *JOINED_FIELDS)
    index: dict[str, Mapping[str, str]] = {}
    for split in SPLITS:
        for line in lite_lines(split):
            row = json.loads(line)
            index[row["instance_id"]] = MappingProxyType({key: row[key] for key in keep})
    return MappingProxyType(index)


def official_row(instance_id: str) -> Mapping[str, Any] | None:
    """The join fields of the official Lite row of ``instance_id``, or None when it is not a Lite id."""
    return _index().get(instance_id)
