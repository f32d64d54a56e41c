"""Comparing a replay's events with the recorded ones.

``ts``, ``run_id``, latencies, durations and wall time differ on every run; in
``run_start`` the model, sandbox, versions and fork descriptions name the replay itself:
those are left out. A schema v1 recording may hold a request hash over messages its
writer redacted afterwards; such a hash cannot be checked (``unverifiable_steps``) and is
left out too, with a note.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from agent.replay.report import Difference, ObservationDivergence

if TYPE_CHECKING:
    from trajectories.events import Event
    from trajectories.trajectory import Trajectory

IGNORED_ALWAYS = ("ts", "run_id", "v")
IGNORED_BY_TYPE: dict[str, tuple[str, ...]] = {
    "run_start": ("model", "sandbox", "versions", "forked_from"),
    "model_call": ("latency_ms",),
    "tool_result": ("duration_ms",),
    "run_end": ("final_metrics.wall_s",),
}


def unverifiable_steps(traj: Trajectory) -> set[int]:
    """Steps of a v1 recording whose request hash differs from the rebuild (redaction)."""
    from trajectories.checks import check_links

    bad_lines = {p.line for p in check_links(traj) if not p.fatal and "request.sha256" in p.reason}
    return {e.step for e in traj.events if e.seq + 1 in bad_lines and e.step is not None}


def compare_events(
    recorded: list[Event], replayed: list[Event], *, skip_hash: Collection[int] = ()
) -> list[Difference]:
    """Field-level differences, one per differing event, plus missing/extra events."""
    differences = []
    for index in range(max(len(recorded), len(replayed))):
        a = recorded[index] if index < len(recorded) else None
        b = replayed[index] if index < len(replayed) else None
        if a is None or b is None:
            present = a or b
            assert present is not None
            kinds = (a.type if a else "(no event)", b.type if b else "(no event)")
            differences.append(Difference(index, present.step, present.type, "", *kinds))
            continue
        skip = ("request.sha256",) if a.type == "model_call" and a.step in skip_hash else ()
        found = _first_difference(_normal(a, skip), _normal(b, skip))
        if found:
            differences.append(Difference(index, a.step, a.type, *found))
    return differences


def diverging_observations(recorded: list[Event], replayed: list[Event]) -> list[ObservationDivergence]:
    from trajectories.events import ToolResult

    old = [e for e in recorded if isinstance(e, ToolResult)]
    new = [e for e in replayed if isinstance(e, ToolResult)]
    out = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a is not None and b is not None and a.content == b.content and a.name == b.name:
            continue
        ref = a or b
        assert ref is not None
        out.append(ObservationDivergence(ref.step, i, ref.name, a.content if a else None, b.content if b else None))
    return out


def request_divergences(recorded: list[Event], replayed: list[Event]) -> list[int]:
    """Steps whose model request (by ``request.sha256``) differs from the recorded one."""
    from trajectories.events import ModelCall

    old = [e for e in recorded if isinstance(e, ModelCall)]
    new = [e for e in replayed if isinstance(e, ModelCall)]
    return [b.step or 0 for a, b in zip(old, new, strict=False) if a.request.sha256 != b.request.sha256]


def _normal(event: Event, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    data = event.model_dump(mode="json")
    for name in IGNORED_ALWAYS:
        data.pop(name, None)
    for dotted in (*IGNORED_BY_TYPE.get(event.type, ()), *skip):
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.get(part, {})
        node.pop(leaf, None)
    return data


def _first_difference(a: Any, b: Any, path: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            found = _first_difference(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else (path, a, b)
