"""SWE-agent ``.traj`` from a trajectory.

One ``trajectory[i]`` per model call: ``{action, observation, response, state, thought,
execution_time, query, extra_info}`` with ``query`` the exact messages sent at that step.
``history`` is the conversation (uncompacted) tagged with ``message_type``; ``info`` holds
``model_stats``, ``exit_status`` and ``submission``; ``replay_config`` is a JSON string
(patchloop's run_start, not a SWE-agent config: SWE-agent cannot replay it).
"""

from __future__ import annotations

import json
from typing import Any

from trajectories.events import Error, ModelCall, ToolCall, ToolResult
from trajectories.export.common import action_text, content_text
from trajectories.trajectory import Trajectory


def to_swe_agent(traj: Trajectory) -> dict[str, Any]:
    start = traj.run_start
    agent = start.agent.name
    steps = {s.number: s for s in traj.steps()}
    queries = dict(traj.requests())

    trajectory = []
    for number, step in steps.items():
        call = step.model_call
        if call is None:
            continue
        thought = content_text(call.response.get("content"))
        actions = [action_text(tc.name, tc.arguments, tc.arguments_raw) for tc in step.tool_calls]
        observations = [r.content for r in step.tool_results]
        observations += [e.feedback for e in step.errors if e.feedback is not None]
        trajectory.append(
            {
                "action": "\n".join(actions),
                "observation": "\n".join(observations),
                "response": thought,
                "state": {},
                "thought": thought,
                "execution_time": sum(r.duration_ms for r in step.tool_results) / 1000.0,
                "query": queries.get(number, []),
                "extra_info": {
                    "patchloop_step": number,
                    "tool_calls": call.response.get("tool_calls") or [],
                    "usage": call.usage.model_dump(),
                    "cost_usd": call.cost_usd,
                },
            }
        )

    totals = traj.totals()
    end = traj.run_end
    sandbox = start.sandbox
    return {
        "trajectory": trajectory,
        "history": _history(traj, agent),
        "info": {
            "model_stats": {
                "instance_cost": totals.cost_usd if totals.cost_usd is not None else 0.0,
                "tokens_sent": totals.prompt_tokens,
                "tokens_received": totals.completion_tokens,
                "api_calls": totals.model_calls,
            },
            "exit_status": end.exit_status if end else None,
            "submission": end.submission if end else None,
        },
        "replay_config": json.dumps(
            {
                "patchloop_run_start": start.model_dump(
                    include={"agent", "model", "config", "task", "sandbox", "plugins", "versions"}
                )
            }
        ),
        "environment": f"{sandbox.kind}:{sandbox.image}" if sandbox.image else sandbox.kind,
    }


def _history(traj: Trajectory, agent: str) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = []
    for message in traj.run_start.messages:
        role = message.get("role", "user")
        history.append(
            {
                "role": role,
                "content": message.get("content"),
                "agent": agent,
                "message_type": "system" if role == "system" else "observation",
            }
        )
    calls = {e.tool_call_id: e for e in traj.events if isinstance(e, ToolCall)}
    for event in traj.events:
        if isinstance(event, ModelCall):
            tool_calls = event.response.get("tool_calls") or []
            actions = []
            for tc in tool_calls:
                recorded = calls.get(tc.get("id", ""))
                fn = tc.get("function", {})
                actions.append(
                    action_text(fn.get("name", ""), recorded.arguments if recorded else None, fn.get("arguments", ""))
                )
            item: dict[str, Any] = {
                "role": "assistant",
                "content": content_text(event.response.get("content")),
                "agent": agent,
                "message_type": "action",
                "thought": content_text(event.response.get("content")),
                "action": "\n".join(actions),
            }
            if tool_calls:
                item["tool_calls"] = tool_calls
            history.append(item)
        elif isinstance(event, ToolResult):
            history.append(
                {
                    "role": "tool",
                    "content": event.content,
                    "agent": agent,
                    "message_type": "observation",
                    "tool_call_ids": [event.tool_call_id],
                }
            )
        elif isinstance(event, Error) and event.feedback is not None:
            history.append({"role": "user", "content": event.feedback, "agent": agent, "message_type": "observation"})
    return history
