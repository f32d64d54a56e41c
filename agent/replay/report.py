"""What a replay found: the differences from the recording and the summary it prints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trajectories.events import Event

SHOWN_LIMIT = 400


@dataclass
class Difference:
    index: int  # position in the compared event lists
    step: int | None
    type: str
    path: str  # the field that differs ("" for a whole missing/extra event)
    recorded: Any
    replayed: Any

    def describe(self) -> str:
        where = f"event {self.index} ({self.type}, step {self.step})"
        if not self.path:
            return f"{where}: recorded {short(self.recorded)}, replay {short(self.replayed)}"
        return f"{where} field {self.path}: recorded {short(self.recorded)}, replay {short(self.replayed)}"


@dataclass
class ObservationDivergence:
    step: int | None
    index: int  # n-th tool result of the run
    name: str
    recorded: str | None
    replayed: str | None

    def describe(self) -> str:
        return (
            f"step {self.step} ({self.name}): observation differs\n"
            f"  recorded: {short(self.recorded)}\n  replay:   {short(self.replayed)}"
        )


@dataclass
class ReplayReport:
    mode: str
    source: Path
    run_id: str
    output: Path | None
    events: list[Event]
    exit_status: str
    submission: str
    recorded_submission: str | None
    differences: list[Difference] = field(default_factory=list)
    observations: list[ObservationDivergence] = field(default_factory=list)
    missing_plugins: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences

    @property
    def patch_matches(self) -> bool:
        return self.recorded_submission is not None and self.submission == self.recorded_submission

    def summary(self) -> str:
        lines = [f"replay ({self.mode}) of {self.source}: {len(self.events)} events, exit status {self.exit_status}"]
        if self.output:
            lines.append(f"new trajectory: {self.output}")
        lines += [f"note: {note}" for note in self.notes]
        if self.mode == "offline":
            if self.identical:
                lines.append("identical: the run was reproduced event for event")
            else:
                lines.append(f"differs from the recording in {len(self.differences)} place(s); first:")
                lines += [f"  {d.describe()}" for d in self.differences[:10]]
            return "\n".join(lines)
        if self.observations:
            lines.append(f"{len(self.observations)} step(s) with a diverging observation:")
            lines += [f"  {o.describe()}" for o in self.observations[:20]]
        elif self.mode == "execute":
            lines.append("every observation matches the recording")
        if self.recorded_submission is not None:
            lines.append(
                "final patch: " + ("same as recorded" if self.patch_matches else "DIFFERS from the recorded one")
            )
        lines.append(self.submission if self.submission else "(empty patch)")
        return "\n".join(lines)


def short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return repr(text[:SHOWN_LIMIT] + ("…" if len(text) > SHOWN_LIMIT else ""))
