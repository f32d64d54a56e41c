"""Load SWE-bench rows through ``datasets.load_dataset`` and select the instances to run.

Sources: an HF hub id (default ``SWE-bench/SWE-bench_Lite``), a local ``.jsonl``/``.json``/
``.parquet`` file or a folder of them (read with the same API), or the name ``minibench``
(the bundled offline benchmark). Every row is validated into an :class:`Instance`.
"""

from __future__ import annotations

import json
import os
import random
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from patchloop.names import UnsafeNameError, check_component
from runners.swebench.errors import DatasetError, HubUnreachableError, SelectionError
from runners.swebench.imageref import RULE as IMAGE_RULE
from runners.swebench.imageref import is_image_reference
from runners.swebench.outdir import RUN_FILES

DEFAULT_DATASET = "SWE-bench/SWE-bench_Lite"
MINIBENCH = "minibench"
LOCAL_SUFFIXES = {".jsonl": "json", ".json": "json", ".parquet": "parquet"}
LOCAL_HINT = "pass --dataset with a local .jsonl/.json/.parquet file or folder, or --dataset minibench"
# Needed by every row; `version` too unless the row carries its own eval_script.
REQUIRED_FIELDS = (
    "instance_id",
    "repo",
    "base_commit",
    "patch",
    "test_patch",
    "problem_statement",
    "FAIL_TO_PASS",
    "PASS_TO_PASS",
)


class Instance(BaseModel):
    """One validated dataset row. ``row`` keeps the original fields for swebench's specs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_id: str
    repo: str
    base_commit: str
    patch: str
    test_patch: str
    problem_statement: str
    hints_text: str = ""
    version: str = ""
    environment_setup_commit: str = ""
    fail_to_pass: list[str]
    pass_to_pass: list[str]
    eval_script: str | None = None
    log_parser: str | None = None
    eval_type: str | None = None
    image: str | None = None
    row: dict[str, Any]


def _test_list(row: dict, field: str, where: str) -> list[str]:
    value = row[field]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: field {field} is not a JSON list ({exc})") from exc
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise DatasetError(f"{where}: field {field} must be a list of test ids (or its JSON text)")
    return list(value)


def check_instance_id(value: object, where: str) -> str:
    """An instance id names its folder under ``--output``: a safe single path component
    (patchloop.names' rule) that is not one of the run's own file names."""
    try:
        check_component(value, f"{where}: field instance_id")
    except UnsafeNameError as exc:
        raise DatasetError(str(exc)) from None
    if value in RUN_FILES:
        raise DatasetError(f"{where}: field instance_id {value!r} is the name of a file of the run's output; rename it")
    return value  # type: ignore[return-value]


def _where(row: dict[str, Any], index: int) -> str:
    iid = row.get("instance_id")
    return f"row {index} (instance {iid})" if isinstance(iid, str) and iid else f"row {index}"


def parse_row(row: dict[str, Any], index: int = 0) -> Instance:
    """Validate one raw row; a problem is reported with the row's index, its id and the field."""
    where = _where(row, index)
    missing = [f for f in REQUIRED_FIELDS if row.get(f) is None]
    if not row.get("eval_script") and not row.get("version"):
        missing.append("version (or eval_script)")
    if missing:
        raise DatasetError(f"{where}: missing required field(s) {', '.join(missing)}")
    iid = check_instance_id(row["instance_id"], where)
    image = row.get("image")
    if image not in (None, "") and not is_image_reference(image):
        raise DatasetError(f"{where}: field image {image!r} is not a valid image reference: use {IMAGE_RULE}")
    optional = lambda key: None if row.get(key) in (None, "") else str(row[key])  # noqa: E731
    return Instance(
        instance_id=iid,
        repo=str(row["repo"]),
        base_commit=str(row["base_commit"]),
        patch=str(row["patch"]),
        test_patch=str(row["test_patch"]),
        problem_statement=str(row["problem_statement"]),
        hints_text=str(row.get("hints_text") or ""),
        version=str(row.get("version") or ""),
        environment_setup_commit=str(row.get("environment_setup_commit") or ""),
        fail_to_pass=_test_list(row, "FAIL_TO_PASS", where),
        pass_to_pass=_test_list(row, "PASS_TO_PASS", where),
        eval_script=optional("eval_script"),
        log_parser=optional("log_parser"),
        eval_type=optional("eval_type"),
        image=optional("image"),
        row=dict(row),
    )


def _local_files(path: Path) -> tuple[str, list[str]]:
    if path.is_dir():
        for suffix, builder in LOCAL_SUFFIXES.items():
            files = sorted(str(p) for p in path.glob(f"*{suffix}"))
            if files:
                return builder, files
        raise DatasetError(f"folder {path} holds no .jsonl, .json or .parquet file")
    suffix_builder = LOCAL_SUFFIXES.get(path.suffix)
    if suffix_builder is None:
        raise DatasetError(f"{path}: unsupported file type; pass a .jsonl, .json or .parquet file")
    return suffix_builder, [str(path)]


def _offline() -> bool:
    return any(
        os.environ.get(name, "").lower() in ("1", "true", "yes", "on")
        for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )


def _load_local(path: Path) -> list[dict[str, Any]]:
    """Rows of a local file or folder, through ``datasets.load_dataset`` like a hub dataset."""
    import datasets
    from datasets.exceptions import DatasetsError

    builder, files = _local_files(path)
    for name in files:
        if builder == "json" and not Path(name).read_bytes().strip():
            raise DatasetError(f"dataset file {name} is empty: it holds no rows")
    try:
        rows = list(datasets.load_dataset(builder, data_files=files, split="train"))
    except (DatasetsError, ValueError, OSError, StopIteration) as exc:  # a torn or malformed file: say which and why
        cause = exc.__cause__ or exc
        if "corresponds to no data" in str(cause):
            raise DatasetError(f"dataset {path} holds no rows") from None
        detail = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
        raise DatasetError(f"cannot read {path} as {builder} data: {detail}") from None
    if not rows:
        raise DatasetError(f"dataset {path} holds no rows")
    return rows


def _check_hub(dataset_id: str, timeout: float = 10.0) -> None:
    """Fail fast, on one line, when the hub cannot be reached (instead of minutes of retries)."""
    if _offline():
        return  # datasets answers from its cache, or raises; handled by the caller
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    url = f"{endpoint}/api/datasets/{dataset_id}"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return  # the hub answered; let datasets report what it does not like
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise HubUnreachableError(
            f"cannot reach the Hugging Face hub at {endpoint} to load {dataset_id} ({reason}); {LOCAL_HINT}"
        ) from exc


def load_rows(dataset: str, split: str = "test") -> list[dict[str, Any]]:
    """Raw rows of a dataset: hub id, local file/folder, or ``minibench``."""
    import datasets  # heavy; only when a dataset is really loaded

    if dataset == MINIBENCH:
        from runners.minibench import DATASET_PATH

        return _load_local(Path(DATASET_PATH))
    path = Path(dataset).expanduser()
    if path.exists():
        return _load_local(path)
    if path.suffix in LOCAL_SUFFIXES or dataset.startswith((".", "/", "~")):
        raise DatasetError(f"dataset file {dataset} does not exist")
    _check_hub(dataset)
    try:
        return list(datasets.load_dataset(dataset, split=split))
    except ConnectionError as exc:
        raise HubUnreachableError(f"cannot reach the Hugging Face hub to load {dataset} ({exc}); {LOCAL_HINT}") from exc
    except ValueError as exc:  # e.g. unknown split
        raise DatasetError(f"{dataset}: {exc}") from exc


def parse_rows(rows: list[dict[str, Any]]) -> list[Instance]:
    """Every row validated; the first bad one stops the load (nothing is skipped silently)."""
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise DatasetError(f"row {i}: expected an object with the SWE-bench fields, got {type(row).__name__}")
    instances = [parse_row(row, i) for i, row in enumerate(rows)]
    seen: set[str] = set()
    for inst in instances:
        if inst.instance_id in seen:
            raise DatasetError(f"instance {inst.instance_id} appears twice in the dataset")
        seen.add(inst.instance_id)
    return instances


def parse_slice(text: str) -> slice:
    """``"10:20"``, ``":5"``, ``"3:"`` or ``"0:30:3"``."""
    parts = text.split(":")
    if not 1 < len(parts) <= 3:
        raise SelectionError(f"--slice {text!r}: expected START:STOP or START:STOP:STEP")
    try:
        values = [int(p) if p.strip() else None for p in parts]
    except ValueError as exc:
        raise SelectionError(f"--slice {text!r}: bounds must be integers") from exc
    if len(values) == 3 and values[2] == 0:
        raise SelectionError(f"--slice {text!r}: the step cannot be 0")
    return slice(*values)


def select(
    instances: list[Instance],
    *,
    instance_ids: list[str] | None = None,
    filter_regex: str | None = None,
    slice_text: str | None = None,
    shuffle: bool = False,
    seed: int = 42,
    n: int | None = None,
) -> list[Instance]:
    """Apply ids, filter, shuffle, slice and n, in that order. Unknown ids are an error."""
    chosen = list(instances)
    if instance_ids:
        by_id = {inst.instance_id: inst for inst in chosen}
        unknown = [iid for iid in instance_ids if iid not in by_id]
        if unknown:
            raise SelectionError(f"unknown instance id(s) not in the dataset: {', '.join(unknown)}")
        chosen = [by_id[iid] for iid in dict.fromkeys(instance_ids)]
    if filter_regex:
        try:
            pattern = re.compile(filter_regex)
        except re.error as exc:
            raise SelectionError(f"--filter {filter_regex!r} is not a valid regular expression: {exc}") from exc
        chosen = [inst for inst in chosen if pattern.search(inst.instance_id)]
    if shuffle:
        random.Random(seed).shuffle(chosen)
    if slice_text:
        chosen = chosen[parse_slice(slice_text)]
    if n is not None:
        if n < 0:
            raise SelectionError(f"--n must be >= 0, got {n}")
        chosen = chosen[:n]
    return chosen


def load_instances(dataset: str = DEFAULT_DATASET, split: str = "test") -> list[Instance]:
    rows = load_rows(dataset, split)
    if not rows:
        raise DatasetError(f"dataset {dataset} (split {split}) holds no rows")
    return parse_rows(rows)
