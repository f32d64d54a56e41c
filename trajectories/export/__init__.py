"""Exporters: pure functions ``Trajectory -> dict`` in other tools' formats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trajectories.trajectory import Trajectory

FORMATS = ("atif", "swe-agent", "mini")


def exporter(fmt: str) -> Callable[[Trajectory], dict[str, Any]]:
    """The export function for ``fmt`` (one of ``FORMATS``)."""
    if fmt == "atif":
        from trajectories.export.atif import to_atif

        return to_atif
    if fmt == "swe-agent":
        from trajectories.export.swe_agent import to_swe_agent

        return to_swe_agent
    if fmt == "mini":
        from trajectories.export.mini import to_mini

        return to_mini
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
