"""``TrajectoryWriter``: the crash-safe JSONL file recorder.

One event per line, written through ``jsonlines`` and flushed to the OS after every
event, so a process killed at any point leaves every finished event readable (at most
the line being written is torn, which the reader tolerates). ``close()`` fsyncs.
Every event is redacted, then validated against the schema, before a byte is written;
an invalid event raises ``InvalidEventError`` and consumes no ``seq``.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import jsonlines
from pydantic import BaseModel

from trajectories.errors import TrajectoryError
from trajectories.recorder import _redactor_from, build_event
from trajectories.redact import Redactor


def _dumps(obj: Any) -> bytes:
    if isinstance(obj, bytes):  # an event line already serialized by build_event
        return obj
    if isinstance(obj, BaseModel):
        return obj.__pydantic_serializer__.to_json(obj)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


class WholeLines:
    """A binary file wrapper that hands each flushed line to the file in one write.

    jsonlines writes a line and its newline separately; past the file's buffer size (a
    large observation) the line went to the OS alone, and a process killed before the
    newline left a complete event with no line end.
    """

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("WholeLines takes bytes")  # how jsonlines tells a binary file
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        if self._parts:
            self._fp.write(b"".join(self._parts))
            self._parts.clear()
        self._fp.flush()


class TrajectoryWriter:
    """Writes one run's events to ``path``; thread safe; a context manager.

    ``redact``: True (default) redacts secret env values and ``DEFAULT_PATTERNS``,
    a ``Redactor`` for custom secrets/patterns, False for none.
    ``overwrite``: replace an existing file instead of refusing to.
    """

    def __init__(
        self,
        path: str | Path,
        run_id: str,
        *,
        redact: Redactor | bool = True,
        overwrite: bool = False,
    ):
        if not run_id:
            raise ValueError("run_id must be a non-empty string")
        self.path = Path(path)
        self.run_id = run_id
        self._redactor = _redactor_from(redact)
        self._lock = threading.Lock()
        self._next_seq = 0
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._fp = open(self.path, "wb" if overwrite else "xb")  # noqa: SIM115 (closed in close())
        except FileExistsError:
            raise TrajectoryError(
                "file exists; a trajectory is never appended to: choose a new path or pass overwrite=True",
                path=self.path,
            ) from None
        self._writer = jsonlines.Writer(WholeLines(self._fp), flush=True, dumps=_dumps)  # type: ignore[arg-type]

    @property
    def n_events(self) -> int:
        return self._next_seq

    @property
    def closed(self) -> bool:
        return self._closed

    def emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        """Validate, redact and append one event; returns its ``seq``."""
        with self._lock:
            if self._closed:
                raise TrajectoryError(f"writer is closed; cannot emit {type!r}", path=self.path)
            seq = self._next_seq
            _, line = build_event(self.run_id, seq, type, step, parent, payload, self._redactor)
            self._writer.write(line)
            self._next_seq = seq + 1
            return seq

    def close(self) -> None:
        """Flush, fsync and close; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._writer.close()
            self._fp.flush()
            os.fsync(self._fp.fileno())
            self._fp.close()

    def __enter__(self) -> TrajectoryWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
