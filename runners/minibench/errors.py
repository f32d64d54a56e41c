"""Errors of the bundled benchmark, each saying what was wrong and what to do."""

from __future__ import annotations


class MinibenchError(Exception):
    """Base class of every minibench error."""


class InstanceRuleError(MinibenchError):
    """An instance breaks one of the authoring rules of docs/minibench.md."""

    def __init__(self, instance: str, rule: str, detail: str) -> None:
        self.instance = instance
        self.rule = rule
        self.detail = detail
        super().__init__(f"{instance}: breaks rule '{rule}': {detail}")


class ImageBuildError(MinibenchError):
    """Docker could not build an instance image."""


class ValidationFailed(MinibenchError):
    """At least one instance failed validation in its image."""
