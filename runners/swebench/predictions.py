"""Predictions in the official format: ``gold``, ``empty``, or a .json (list or {id: pred}) / .jsonl file."""

from __future__ import annotations

import json
from pathlib import Path

from runners.swebench.dataset import Instance
from runners.swebench.errors import PredictionsError


def _records(path: Path) -> list[dict]:
    if not path.exists():
        raise PredictionsError(f"predictions file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PredictionsError(f"{path}: not valid JSON ({exc})") from exc
    if isinstance(data, dict):
        return [{"instance_id": iid, **pred} for iid, pred in data.items()]
    if isinstance(data, list):
        return data
    raise PredictionsError(f"{path}: expected a list of predictions or an {{instance_id: prediction}} object")


def load_predictions(spec: str, instances: list[Instance]) -> tuple[str, dict[str, str | None]]:
    """``(model_name_or_path, {instance_id: model_patch})``."""
    if spec == "gold":
        return "gold", {inst.instance_id: inst.patch for inst in instances}
    if spec == "empty":
        return "empty", {inst.instance_id: "" for inst in instances}
    path = Path(spec)
    preds: dict[str, str | None] = {}
    names: set[str] = set()
    for i, record in enumerate(_records(path)):
        if not isinstance(record, dict) or "instance_id" not in record or "model_patch" not in record:
            raise PredictionsError(f"{path}: prediction {i} lacks instance_id or model_patch")
        patch = record["model_patch"]
        if patch is not None and not isinstance(patch, str):
            raise PredictionsError(f"{path}: model_patch of {record['instance_id']} is not a string")
        preds[str(record["instance_id"])] = patch
        names.add(str(record.get("model_name_or_path") or path.stem))
    known = {inst.instance_id for inst in instances}
    unknown = sorted(set(preds) - known)
    if unknown:
        raise PredictionsError(f"{path}: predictions for instances not in the dataset: {', '.join(unknown[:10])}")
    return (names.pop() if len(names) == 1 else path.stem), preds
