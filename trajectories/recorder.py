"""How the agent sees a trajectory: the ``Recorder`` protocol and two in-memory recorders.

``TrajectoryWriter`` (writer.py) is the recorder that writes a file; ``MemoryRecorder``
keeps validated events in a list (tests, offline replay); ``NullRecorder`` only counts
(benchmarks of the loop itself).
"""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timezone
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from trajectories.errors import InvalidEventError
from trajectories.events import ENVELOPE_FIELDS, EVENT_ADAPTER, SCHEMA_VERSION, Event
from trajectories.redact import Redactor


@runtime_checkable
class Recorder(Protocol):
    def emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        """Record one event; returns its ``seq``."""
        ...


def utc_now() -> str:
    """ISO-8601 UTC with milliseconds and a ``Z``."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_validation_error(exc: ValidationError) -> str:
    """One line per problem: ``field.path: message``, without pydantic's URLs."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(x) for x in err["loc"][1:]) or "(event)"  # loc[0] is the union tag
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def build_event(
    run_id: str,
    seq: int,
    type: str,
    step: int | None,
    parent: int | None,
    payload: dict[str, Any],
    redactor: Redactor | None,
) -> tuple[Event, bytes]:
    """Validate one event, redacted, and serialize it; or raise ``InvalidEventError``.

    Redaction: the event is serialized first; only when the redactor's pre-check finds a
    possible secret in that line is every string walked and the event rebuilt."""
    clash = sorted(set(payload) & set(ENVELOPE_FIELDS))
    if clash:
        raise InvalidEventError(f"{type} payload may not set envelope field(s) {clash}")
    data = {
        "v": SCHEMA_VERSION,
        "run_id": run_id,
        "seq": seq,
        "ts": utc_now(),
        "type": type,
        "step": step,
        "parent": parent,
        **payload,
    }
    event = _validate(type, data)
    line = _serialize(type, event)
    if redactor is not None and redactor.may_match(line):
        event = _validate(type, redactor.value(event.model_dump(mode="json")))
        line = _serialize(type, event)
    return event, line


def _serialize(type: str, event: Event) -> bytes:
    try:
        return event.__pydantic_serializer__.to_json(event)
    except PydanticSerializationError as exc:
        raise InvalidEventError(f"{type!r} event holds a value that is not JSON-serializable: {exc}") from exc


def _validate(type: str, data: dict[str, Any]) -> Event:
    try:
        return EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InvalidEventError(f"invalid {type!r} event: {format_validation_error(exc)}") from exc


def _redactor_from(redact: Redactor | bool) -> Redactor | None:
    if isinstance(redact, Redactor):
        return redact
    return Redactor.from_environ() if redact else None


class NullRecorder:
    """Accepts every event, keeps nothing, returns increasing ``seq`` numbers."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        return next(self._counter)


class MemoryRecorder:
    """Validates every event like the file writer and keeps it in ``events``."""

    def __init__(self, run_id: str = "memory", *, redact: Redactor | bool = False):
        self.run_id = run_id
        self.events: list[Event] = []
        self._redactor = _redactor_from(redact)
        self._lock = threading.Lock()

    def emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        with self._lock:
            seq = len(self.events)
            event, _ = build_event(self.run_id, seq, type, step, parent, payload, self._redactor)
            self.events.append(event)
            return seq
