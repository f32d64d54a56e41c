"""Harbor's Agent Trajectory Interchange Format (ATIF v1.7) from a trajectory.

``run_start.messages`` become system/user steps; each ``model_call`` an agent step
(message, tool_calls, observation.results from the matching tool_result events, metrics
from usage and cost); an ``error`` feedback a user step; ``run_end.final_metrics`` the
root ``final_metrics``; ``run_start.tools`` the ``agent.tool_definitions``.
"""

from __future__ import annotations

from typing import Any

from trajectories.events import Error, ModelCall, ToolCall, ToolResult
from trajectories.export.common import call_arguments, content_text
from trajectories.trajectory import Trajectory

ATIF_VERSION = "ATIF-v1.7"


def to_atif(traj: Trajectory) -> dict[str, Any]:
    start = traj.run_start
    steps: list[dict[str, Any]] = []

    def add(step: dict[str, Any]) -> dict[str, Any]:
        step["step_id"] = len(steps) + 1
        steps.append(step)
        return step

    for message in start.messages:
        role = message.get("role")
        add(
            {
                "timestamp": start.ts,
                "source": "system" if role == "system" else "user",
                "message": content_text(message.get("content")),
            }
        )

    results_by_call: dict[str, dict[str, Any]] = {}
    calls_by_id: dict[str, ToolCall] = {}
    for event in traj.events:
        if isinstance(event, ToolCall):
            calls_by_id[event.tool_call_id] = event
        elif isinstance(event, ToolResult):
            results_by_call[event.tool_call_id] = {
                "source_call_id": event.tool_call_id,
                "content": event.content,
                "extra": {
                    "ok": event.ok,
                    "exit_code": event.exit_code,
                    "timed_out": event.timed_out,
                    "truncated": event.truncated,
                    "duration_ms": event.duration_ms,
                },
            }

    for event in traj.events:
        if isinstance(event, ModelCall):
            add(_agent_step(event, start.model.name, calls_by_id, results_by_call))
        elif isinstance(event, Error) and event.feedback is not None:
            add(
                {
                    "timestamp": event.ts,
                    "source": "user",
                    "message": event.feedback,
                    "extra": {"error_type": event.error_type, "where": event.where, "patchloop_step": event.step},
                }
            )

    totals = traj.totals()
    end = traj.run_end
    final = end.final_metrics if end else None
    return {
        "schema_version": ATIF_VERSION,
        "session_id": start.run_id,
        "trajectory_id": start.run_id,
        "agent": {
            "name": start.agent.name,
            "version": start.agent.version,
            "model_name": start.model.name,
            "tool_definitions": start.tools,
            "extra": {"plugins": [p.model_dump() for p in start.plugins], "config": start.config},
        },
        "steps": steps,
        "notes": None if end else "run did not finish (no run_end event)",
        "final_metrics": {
            "total_prompt_tokens": final.total_prompt_tokens if final else totals.prompt_tokens,
            "total_completion_tokens": final.total_completion_tokens if final else totals.completion_tokens,
            "total_cached_tokens": final.total_cached_tokens if final else totals.cached_tokens,
            "total_cost_usd": final.total_cost_usd if final else totals.cost_usd,
            "total_steps": len(steps),
            "extra": {"agent_turns": final.total_steps if final else totals.steps},
        },
        "continued_trajectory_ref": None,
        "extra": {
            "exit_status": end.exit_status if end else None,
            "submission": end.submission if end else None,
            "task": start.task.model_dump(),
            "versions": start.versions,
            "forked_from": start.forked_from.model_dump() if start.forked_from else None,
        },
        "subagent_trajectories": None,
    }


def _agent_step(
    call: ModelCall,
    model_name: str,
    calls_by_id: dict[str, ToolCall],
    results_by_call: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    tool_calls = []
    results = []
    for tc in call.response.get("tool_calls") or []:
        call_id = tc.get("id", "")
        recorded = calls_by_id.get(call_id)
        arguments = recorded.arguments if recorded else call_arguments(tc)
        tool_calls.append(
            {
                "tool_call_id": call_id,
                "function_name": tc.get("function", {}).get("name", ""),
                "arguments": arguments if arguments is not None else {},
                "extra": {"arguments_raw": tc.get("function", {}).get("arguments")} if arguments is None else None,
            }
        )
        if call_id in results_by_call:
            results.append(results_by_call[call_id])
    step: dict[str, Any] = {
        "timestamp": call.ts,
        "source": "agent",
        "model_name": model_name,
        "message": content_text(call.response.get("content")),
        "reasoning_content": call.response.get("reasoning_content"),
        "tool_calls": tool_calls or None,
        "observation": {"results": results} if results else None,
        "metrics": {
            "prompt_tokens": call.usage.prompt_tokens,
            "completion_tokens": call.usage.completion_tokens,
            "cached_tokens": call.usage.cached_tokens,
            "cost_usd": call.cost_usd,
            "extra": {"latency_ms": call.latency_ms, "attempts": call.attempts},
        },
        "llm_call_count": 1,
        "extra": {
            "patchloop_step": call.step,
            "finish_reason": call.finish_reason,
            "response_id": call.response_id,
            "request_sha256": call.request.sha256,
        },
    }
    return step
