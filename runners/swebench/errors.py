"""Typed errors of the SWE-bench runner; each message says what was wrong and what to do."""

from __future__ import annotations


class RunnerError(Exception):
    """Base class: the runner stops and prints the message on one line."""


class DatasetError(RunnerError):
    """The dataset could not be loaded or a row is malformed."""


class HubUnreachableError(DatasetError):
    """The Hugging Face hub cannot be reached."""


class SelectionError(DatasetError):
    """The instance selection (ids, filter, slice) is invalid."""


class PredictionsError(RunnerError):
    """A predictions file is malformed."""


class DockerDownError(RunnerError):
    """No Docker engine answers."""


class ImagesUnavailableError(RunnerError):
    """None of the instance images is present locally and none can be pulled."""
