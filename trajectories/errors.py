"""Typed errors of the trajectories package."""

from __future__ import annotations

from pathlib import Path


class TrajectoryError(Exception):
    """A trajectory file (or event) is unusable: says where and why."""

    def __init__(self, reason: str, *, path: str | Path | None = None, line: int | None = None):
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        where = self.path or "<events>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {reason}")


class NewerSchemaError(TrajectoryError):
    """The file was written by a newer patchloop whose schema this one cannot read."""


class InvalidEventError(TrajectoryError):
    """An event given to a writer or recorder does not match the schema."""
