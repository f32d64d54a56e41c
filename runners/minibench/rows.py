"""``minibench.jsonl``: reading, selecting and (atomically) writing the rows."""

from __future__ import annotations

import json
from pathlib import Path

from runners.minibench import DATASET_PATH
from runners.minibench.errors import MinibenchError


def dumps_rows(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_dataset(rows: list[dict[str, str]], path: Path = DATASET_PATH) -> None:
    """Write rows as JSONL, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps_rows(rows), encoding="utf-8")
    tmp.replace(path)


def load_rows(path: Path = DATASET_PATH) -> list[dict[str, str]]:
    if not path.is_file():
        raise MinibenchError(f"{path} does not exist; run `python -m runners.minibench build-dataset`")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def select_rows(rows: list[dict[str, str]], instance_ids: list[str] | None) -> list[dict[str, str]]:
    """Rows with the given ids (all when None); an unknown id is an error."""
    if not instance_ids:
        return rows
    by_id = {row["instance_id"]: row for row in rows}
    unknown = [iid for iid in instance_ids if iid not in by_id]
    if unknown:
        raise MinibenchError(f"unknown instance id(s) {unknown}; known: {sorted(by_id)}")
    return [by_id[iid] for iid in instance_ids]
