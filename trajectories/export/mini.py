"""mini-swe-agent ``.traj.json`` (trajectory_format ``mini-swe-agent-1.1``) from a trajectory.

``messages`` is the conversation (uncompacted) as OpenAI messages with an ``extra`` dict:
assistant messages carry ``actions, cost, timestamp, response``; tool observations carry
``returncode, timestamp``; the last message has role ``exit`` with ``exit_status`` and
``submission``. ``mini_version`` is null: the file was not written by mini-swe-agent.
"""

from __future__ import annotations

import copy
from typing import Any

from trajectories.events import Error, ModelCall, ToolCall, ToolResult
from trajectories.export.common import action_text, epoch
from trajectories.trajectory import Trajectory

MINI_FORMAT = "mini-swe-agent-1.1"


def to_mini(traj: Trajectory) -> dict[str, Any]:
    start = traj.run_start
    end = traj.run_end
    totals = traj.totals()
    calls = {e.tool_call_id: e for e in traj.events if isinstance(e, ToolCall)}

    messages: list[dict[str, Any]] = [
        {**copy.deepcopy(m), "extra": {"timestamp": epoch(start.ts)}} for m in start.messages
    ]
    for event in traj.events:
        if isinstance(event, ModelCall):
            actions = []
            for tc in event.response.get("tool_calls") or []:
                recorded = calls.get(tc.get("id", ""))
                fn = tc.get("function", {})
                arguments = recorded.arguments if recorded else None
                actions.append(
                    {
                        "command": action_text(fn.get("name", ""), arguments, fn.get("arguments", "")),
                        "tool_call_id": tc.get("id"),
                        "name": fn.get("name"),
                        "arguments": arguments,
                    }
                )
            messages.append(
                {
                    **copy.deepcopy(event.response),
                    "extra": {
                        "actions": actions,
                        "cost": event.cost_usd if event.cost_usd is not None else 0.0,
                        "timestamp": epoch(event.ts),
                        "response": {
                            "id": event.response_id,
                            "finish_reason": event.finish_reason,
                            "usage": event.usage.model_dump(),
                            "latency_ms": event.latency_ms,
                        },
                    },
                }
            )
        elif isinstance(event, ToolResult):
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": event.tool_call_id,
                    "content": event.content,
                    "extra": {"returncode": event.exit_code, "timestamp": epoch(event.ts)},
                }
            )
        elif isinstance(event, Error) and event.feedback is not None:
            messages.append(
                {
                    "role": "user",
                    "content": event.feedback,
                    "extra": {"timestamp": epoch(event.ts), "error_type": event.error_type},
                }
            )
    exit_status = end.exit_status if end else None
    submission = end.submission if end else ""
    messages.append(
        {
            "role": "exit",
            "content": (end.reason if end else "") or (exit_status or "unfinished"),
            "extra": {"exit_status": exit_status, "submission": submission},
        }
    )

    return {
        "info": {
            "model_stats": {
                "instance_cost": totals.cost_usd if totals.cost_usd is not None else 0.0,
                "api_calls": totals.model_calls,
            },
            "config": {
                "agent": start.config,
                "agent_type": f"{start.agent.name}=={start.agent.version}",
                "model": {"model_name": start.model.name, **start.model.params},
                "model_type": start.model.kind,
                "environment": start.sandbox.model_dump(),
                "environment_type": start.sandbox.kind,
            },
            "mini_version": None,
            "exit_status": exit_status,
            "submission": submission,
        },
        "messages": messages,
        "trajectory_format": MINI_FORMAT,
    }
