"""Reading trajectory files: strict, with one tolerance.

``read_events(path)`` yields validated events. A torn FINAL line (no trailing newline,
not parseable: what a killed writer leaves) is skipped with a ``TornLineWarning``; any
other bad line raises ``TrajectoryError`` naming the file, the line number and the reason.
``load(path)`` returns a ``Trajectory`` with the rebuild of the messages the model saw.
"""

from __future__ import annotations

import gc
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trajectories.errors import NewerSchemaError, TrajectoryError
from trajectories.events import EVENT_ADAPTER, EVENT_TYPES, SCHEMA_VERSION, Event, RunStart
from trajectories.recorder import format_validation_error
from trajectories.trajectory import Trajectory


class TornLineWarning(UserWarning):
    """The last line of a trajectory file was cut off mid-write and was skipped."""


class EventReader:
    """Iterates the events of one file; after iteration ``torn_line`` says whether
    (and on which line) a torn final line was skipped."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.torn_line: int | None = None
        self._validate_json = EVENT_ADAPTER.validator.validate_json

    def __iter__(self) -> Iterator[Event]:
        try:
            fp = open(self.path, "rb")  # noqa: SIM115 (closed below)
        except FileNotFoundError:
            raise TrajectoryError("no such file", path=self.path) from None
        except IsADirectoryError:
            raise TrajectoryError("is a directory, expected a .jsonl trajectory file", path=self.path) from None
        with fp:
            yield from self._events(fp)

    def _fail(self, lineno: int, reason: str, cls: type[TrajectoryError] = TrajectoryError) -> TrajectoryError:
        return cls(reason, path=self.path, line=lineno)

    def _events(self, fp: Any) -> Iterator[Event]:
        prev: Event | None = None
        run_id: str | None = None
        ended = False
        lineno = 0
        pending = fp.readline()
        while pending:
            raw = pending
            lineno += 1
            pending = fp.readline()
            is_last = not pending
            if is_last and not raw.endswith(b"\n") and not _parses(raw):
                self.torn_line = lineno
                warnings.warn(
                    f"{self.path}:{lineno}: last line is torn (cut off mid-write, "
                    f"{len(raw)} bytes without a newline); skipped it",
                    TornLineWarning,
                    stacklevel=3,
                )
                break
            event = self._parse(raw, lineno)
            if prev is None:
                if event.type != "run_start":
                    raise self._fail(
                        lineno, f"first event is {event.type!r}; a trajectory starts with run_start (missing run_start)"
                    )
                if event.seq != 0:
                    raise self._fail(lineno, f"run_start has seq {event.seq}; the first seq is 0")
                run_id = event.run_id
            else:
                if ended:
                    raise self._fail(lineno, f"{event.type!r} after run_end; run_end must be the last event")
                if event.type == "run_start":
                    raise self._fail(lineno, "second run_start; one file holds one run")
                if event.seq == prev.seq:
                    raise self._fail(lineno, f"seq {event.seq} repeated (line {lineno - 1} has it too)")
                if event.seq < prev.seq:
                    raise self._fail(lineno, f"seq {event.seq} out of order: comes after seq {prev.seq}")
                if event.seq != prev.seq + 1:
                    raise self._fail(lineno, f"seq jumps from {prev.seq} to {event.seq}; events are missing")
                if event.run_id != run_id:
                    raise self._fail(lineno, f"run_id {event.run_id!r} differs from run_start's {run_id!r}")
            ended = event.type == "run_end"
            prev = event
            yield event
        if lineno == 0:
            raise TrajectoryError("empty file: no events (a trajectory starts with a run_start line)", path=self.path)

    def _parse(self, raw: bytes, lineno: int) -> Event:
        try:
            return self._validate_json(raw)
        except ValidationError:
            pass  # diagnose slowly below, to say exactly what is wrong
        raise self._diagnose(raw, lineno)

    def _diagnose(self, raw: bytes, lineno: int) -> TrajectoryError:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return self._fail(lineno, f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}")
        if not text.strip():
            return self._fail(lineno, "blank line")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return self._fail(lineno, f"not JSON: {exc.msg} at column {exc.colno}")
        if not isinstance(data, dict):
            return self._fail(lineno, f"expected a JSON object, got {type(data).__name__}")
        v = data.get("v")
        if isinstance(v, int) and not isinstance(v, bool) and v > SCHEMA_VERSION:
            return self._fail(
                lineno,
                f"written by a newer patchloop (trajectory schema v{v}); this patchloop reads "
                f"v{SCHEMA_VERSION}: upgrade patchloop (pip install -U patchloop) to read it",
                NewerSchemaError,
            )
        kind = data.get("type")
        if kind not in EVENT_TYPES:
            return self._fail(lineno, f"unknown event type {kind!r}; known types: {', '.join(EVENT_TYPES)}")
        try:
            EVENT_ADAPTER.validate_python(data)
        except ValidationError as exc:
            return self._fail(lineno, f"invalid {kind} event: {format_validation_error(exc)}")
        return self._fail(lineno, "invalid event")  # validate_json and validate_python disagree


def _parses(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both subclass it
        return False
    return True


def read_events(path: str | Path) -> Iterator[Event]:
    """Validated events of ``path`` in order (see the module docstring for the rules)."""
    return iter(EventReader(path))


def _collect(reader: EventReader) -> list[Event]:
    """``list(reader)`` with the cyclic GC paused: parsing makes no reference cycles, and
    the collector rescanning every event built so far triples the cost of a large file."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return list(reader)
    finally:
        if was_enabled:
            gc.enable()


def load(path: str | Path) -> Trajectory:
    """The whole file as a ``Trajectory``; raises ``TrajectoryError`` on any bad line."""
    reader = EventReader(path)
    events = _collect(reader)
    if not events:
        raise TrajectoryError(
            f"no complete event: the only line (line {reader.torn_line}) is torn, so run_start is missing",
            path=path,
        )
    assert isinstance(events[0], RunStart)  # EventReader guarantees it
    return Trajectory(events, path=Path(path), torn_line=reader.torn_line)
