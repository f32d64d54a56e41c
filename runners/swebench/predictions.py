"""Predictions in the official format: ``gold``, ``empty``, or a .json (list or {id: pred}) / .jsonl file.

Every error names the file and where in it: ``FILE:LINE`` for .jsonl, ``FILE: prediction I``
(0-based) for a .json list, ``FILE: prediction 'ID'`` for a .json object.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from patchloop.names import is_component
from runners.swebench.dataset import Instance
from runners.swebench.errors import PredictionsError


def _records(path: Path) -> list[tuple[str, Any]]:
    """``(where, record)`` pairs, ``where`` naming the file and the line or entry."""
    if not path.is_file():
        raise PredictionsError(f"predictions file {path} does not exist (or is not a file)")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((f"{path}:{number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise PredictionsError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        return records
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PredictionsError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if isinstance(data, dict):
        return [
            (f"{path}: prediction {iid!r}", {"instance_id": iid, **pred} if isinstance(pred, dict) else pred)
            for iid, pred in data.items()
        ]
    if isinstance(data, list):
        return [(f"{path}: prediction {i}", record) for i, record in enumerate(data)]
    raise PredictionsError(f"{path}: expected a list of predictions or an {{instance_id: prediction}} object")


def load_predictions(spec: str, instances: list[Instance]) -> tuple[str, dict[str, str | None]]:
    """``(model_name_or_path, {instance_id: model_patch})``."""
    if spec == "gold":
        return "gold", {inst.instance_id: inst.patch for inst in instances}
    if spec == "empty":
        return "empty", {inst.instance_id: "" for inst in instances}
    path = Path(spec)
    known = {inst.instance_id for inst in instances}
    preds: dict[str, str | None] = {}
    names: set[str] = set()
    for where, record in _records(path):
        if not isinstance(record, dict):
            raise PredictionsError(f"{where}: expected an object with instance_id and model_patch")
        missing = [key for key in ("instance_id", "model_patch") if key not in record]
        if missing:
            raise PredictionsError(
                f"{where}: missing {' and '.join(missing)} (official format: "
                '{"instance_id": ..., "model_name_or_path": ..., "model_patch": ...})'
            )
        iid, patch = record["instance_id"], record["model_patch"]
        if not is_component(iid):
            raise PredictionsError(
                f"{where}: field instance_id {iid!r} cannot name a file or folder (and is no dataset id)"
            )
        if iid not in known:
            raise PredictionsError(f"{where}: instance {iid!r} is not in the dataset")
        if patch is not None and not isinstance(patch, str):
            raise PredictionsError(f"{where}: model_patch of {iid} is not a string")
        if iid in preds:
            raise PredictionsError(f"{where}: a second prediction for {iid}")
        preds[iid] = patch
        names.add(str(record.get("model_name_or_path") or path.stem))
    return (names.pop() if len(names) == 1 else path.stem), preds
