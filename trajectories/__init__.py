"""patchloop trajectories: the JSONL event schema, writer, reader, exporters and CLI.

from trajectories import TrajectoryWriter, load
with TrajectoryWriter("run.jsonl", run_id) as w:
    w.emit("run_start", agent=..., ...)
traj = load("run.jsonl"); traj.messages_at(3)
"""

from trajectories.errors import InvalidEventError, NewerSchemaError, TrajectoryError
from trajectories.events import EVENT_ADAPTER, SCHEMA_VERSION, Event
from trajectories.reader import TornLineWarning, load, read_events
from trajectories.recorder import MemoryRecorder, NullRecorder, Recorder
from trajectories.redact import Redactor
from trajectories.trajectory import Step, Trajectory
from trajectories.writer import TrajectoryWriter

__all__ = [
    "EVENT_ADAPTER",
    "SCHEMA_VERSION",
    "Event",
    "InvalidEventError",
    "MemoryRecorder",
    "NewerSchemaError",
    "NullRecorder",
    "Recorder",
    "Redactor",
    "Step",
    "TornLineWarning",
    "Trajectory",
    "TrajectoryError",
    "TrajectoryWriter",
    "load",
    "read_events",
]
