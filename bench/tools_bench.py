"""Registry dispatch overhead: parse + validate + call of a no-op tool through ToolRegistry.call.

Run: .venv/bin/python bench/tools_bench.py [--calls N] [--repeats R]
Prints the median per-call time (over R repeats of N calls) for a few argument shapes,
against the target of 50 µs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Literal

from pydantic import BaseModel

from tools import ToolContext, ToolRegistry, tool

TARGET_US = 50.0


class Item(BaseModel):
    name: str
    count: int = 1


@tool
def noop() -> str:
    """Do nothing."""
    return ""


@tool
def noop_args(
    path: str, start: int = 1, end: int | None = None, mode: Literal["a", "b"] = "a", *, ctx: ToolContext
) -> str:
    """Do nothing with a few arguments."""
    return ""


@tool
def noop_nested(items: list[Item], tags: list[str] = []) -> str:  # noqa: B006 - a mutable default is what is measured
    """Do nothing with nested arguments."""
    return ""


CASES = [
    ("no arguments, JSON string", "noop", "{}"),
    ("4 arguments, JSON string", "noop_args", '{"path": "src/app.py", "start": 10, "end": 40, "mode": "b"}'),
    ("4 arguments, dict", "noop_args", {"path": "src/app.py", "start": 10, "end": 40, "mode": "b"}),
    (
        "nested list of models",
        "noop_nested",
        '{"items": [{"name": "a", "count": 2}, {"name": "b"}], "tags": ["x", "y"]}',
    ),
    ("invalid arguments (error path)", "noop_args", '{"start": "x", "bogus": 1}'),
    ("unknown tool (error path)", "nope", "{}"),
]


def per_call_us(registry: ToolRegistry, name: str, arguments, ctx: ToolContext, calls: int) -> float:
    call = registry.call
    started = time.perf_counter()
    for _ in range(calls):
        call(name, arguments, ctx)
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5_000, help="calls per repeat")
    parser.add_argument("--repeats", type=int, default=15, help="repeats; the median is reported")
    args = parser.parse_args()

    registry = ToolRegistry()
    for item in (noop, noop_args, noop_nested):
        registry.register(item)
    ctx = ToolContext(sandbox=None, workdir="/testbed")  # type: ignore[arg-type]  # the no-op tools never touch it
    for _, name, arguments in CASES:  # warm caches (schemas, hints)
        per_call_us(registry, name, arguments, ctx, 200)

    print(f"ToolRegistry.call dispatch overhead ({args.repeats} x {args.calls} calls, median)")
    print(f"{'case':34} {'median µs':>10} {'min µs':>8} {'max µs':>8}  target")
    for label, name, arguments in CASES:
        samples = [per_call_us(registry, name, arguments, ctx, args.calls) for _ in range(args.repeats)]
        median = statistics.median(samples)
        verdict = "ok" if median <= TARGET_US else "OVER"
        print(f"{label:34} {median:10.2f} {min(samples):8.2f} {max(samples):8.2f}  <= {TARGET_US:g} {verdict}")


if __name__ == "__main__":
    main()
