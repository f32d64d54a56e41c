"""What ``python -m agent run`` prints while a run goes on: one short line per event."""

from __future__ import annotations

from collections.abc import Callable

from agent.task import AgentEvent


def progress_printer(write: Callable[[str], None]) -> Callable[[AgentEvent], None]:
    """A callback printing one short line per tool call, result, error and compaction."""

    def show(event: AgentEvent) -> None:
        p = event.payload
        if event.type == "tool_call":
            args = p["arguments_raw"].replace("\n", " ")
            write(f"step {event.step}: {p['name']} {args[:100]}{'...' if len(args) > 100 else ''}")
        elif event.type == "tool_result":
            first = next((line for line in p["content"].splitlines() if line.strip()), "")
            state = "timed out" if p["timed_out"] else ("ok" if p["ok"] else "failed")
            write(f"  -> {state}: {first[:100]}")
        elif event.type == "error":
            write(f"  ! {p['where']} {p['error_type']}: {p['message'][:160]}")
        elif event.type == "context":
            count, before, after = len(p["compacted"]), p["chars_before"], p["chars_after"]
            write(f"  context: compacted {count} observation(s), {before} -> {after} chars")

    return show
