"""Typed errors of the SWE-bench runner; each message says what was wrong and what to do.

They sit on patchloop's error root: a :class:`RunnerError` is a user error (one line on
stderr, exit 2, nothing written); :class:`DiskFullError` is an infrastructure failure
that stops a run that has started (exit 4, resumable).
"""

from __future__ import annotations

from patchloop.errors import InfraError, UserError


class RunnerError(UserError):
    """The runner stops before anything runs and prints the message on one line."""


class DatasetError(RunnerError):
    """The dataset could not be loaded or a row is malformed."""


class HubUnreachableError(DatasetError):
    """The Hugging Face hub cannot be reached."""


class SelectionError(DatasetError):
    """The instance selection (ids, filter, slice) is invalid."""


class PredictionsError(RunnerError):
    """A predictions file is malformed."""


class DockerDownError(RunnerError, InfraError):
    """No Docker engine answers."""

    kind = "engine_down"


class ImagesUnavailableError(RunnerError):
    """None of the instance images is present locally and none can be pulled."""


class OutputInUseError(RunnerError):
    """Another process holds the run's ``--output``."""


class DiskFullError(InfraError):
    """No space is left where the run writes: the run stops; rerun once there is space."""

    kind = "disk_full"
