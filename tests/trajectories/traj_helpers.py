"""Helpers for the trajectories tests: sample runs written through the real writer."""

from __future__ import annotations

import json
from pathlib import Path

from trajectories import TrajectoryWriter
from trajectories.sample import emit_sample_run

EXAMPLE = Path(__file__).resolve().parents[2] / "trajectories" / "examples" / "example.jsonl"


def write_sample(path: Path, *, steps: int = 5, run_id: str = "run-test") -> Path:
    with TrajectoryWriter(path, run_id, redact=False) as writer:
        emit_sample_run(writer, steps=steps, run_id=run_id)
    return path


def sample_lines(tmp_path: Path) -> list[dict]:
    path = write_sample(tmp_path / "src.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_lines(path: Path, lines: list[dict | str | bytes], *, final_newline: bool = True) -> Path:
    chunks = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line)
        if isinstance(line, str):
            line = line.encode()
        chunks.append(line)
    data = b"\n".join(chunks) + (b"\n" if final_newline else b"")
    path.write_bytes(data)
    return path
