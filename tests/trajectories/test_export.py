"""Each exporter against the field list in ../shared/notes/conventions.md section 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trajectories import load
from trajectories.export import FORMATS, exporter
from trajectories.export.atif import to_atif
from trajectories.export.mini import to_mini
from trajectories.export.swe_agent import to_swe_agent

ATIF_ROOT = {
    "schema_version",
    "session_id",
    "trajectory_id",
    "agent",
    "steps",
    "notes",
    "final_metrics",
    "continued_trajectory_ref",
    "extra",
    "subagent_trajectories",
}
ATIF_AGENT = {"name", "version", "model_name", "tool_definitions", "extra"}
ATIF_STEP = {
    "step_id",
    "timestamp",
    "source",
    "model_name",
    "reasoning_effort",
    "message",
    "reasoning_content",
    "tool_calls",
    "observation",
    "metrics",
    "llm_call_count",
    "is_copied_context",
    "extra",
}
ATIF_TOOL_CALL = {"tool_call_id", "function_name", "arguments", "extra"}
ATIF_RESULT = {"source_call_id", "content", "subagent_trajectory_ref", "extra"}
ATIF_METRICS = {
    "prompt_tokens",
    "completion_tokens",
    "cached_tokens",
    "cost_usd",
    "prompt_token_ids",
    "completion_token_ids",
    "logprobs",
    "extra",
}
ATIF_FINAL = {
    "total_prompt_tokens",
    "total_completion_tokens",
    "total_cached_tokens",
    "total_cost_usd",
    "total_steps",
    "extra",
}

SWE_ROOT = {"trajectory", "history", "info", "replay_config", "environment"}
SWE_STEP = {"action", "observation", "response", "state", "thought", "execution_time", "query", "extra_info"}
SWE_HISTORY = {
    "role",
    "content",
    "message_type",
    "agent",
    "is_demo",
    "thought",
    "action",
    "tool_calls",
    "tool_call_ids",
    "tags",
    "cache_control",
    "thinking_blocks",
}
SWE_MODEL_STATS = {"instance_cost", "tokens_sent", "tokens_received", "api_calls"}

MINI_ROOT = {"info", "messages", "trajectory_format"}
MINI_INFO = {"model_stats", "config", "mini_version", "exit_status", "submission"}
MINI_CONFIG = {"agent", "agent_type", "model", "model_type", "environment", "environment_type"}


def test_atif(sample_file: Path):
    traj = load(sample_file)
    out = to_atif(traj)
    assert set(out) == ATIF_ROOT
    assert out["schema_version"] == "ATIF-v1.7" and out["session_id"] == traj.run_id
    assert set(out["agent"]) <= ATIF_AGENT and {"name", "version", "model_name", "tool_definitions"} <= set(
        out["agent"]
    )
    assert out["agent"]["tool_definitions"] == traj.run_start.tools
    steps = out["steps"]
    assert [s["step_id"] for s in steps] == list(range(1, len(steps) + 1))  # sequential from 1
    for step in steps:
        assert set(step) <= ATIF_STEP and step["source"] in {"system", "user", "agent"}
        assert step["timestamp"].endswith("Z")
    assert [s["source"] for s in steps[:2]] == ["system", "user"]
    agent_steps = [s for s in steps if s["source"] == "agent"]
    assert len(agent_steps) == 5  # one step per LLM call
    first = agent_steps[0]
    assert set(first["tool_calls"][0]) <= ATIF_TOOL_CALL
    assert first["tool_calls"][0]["arguments"] == {"command": "ls textkit"}  # an object, not a string
    result = first["observation"]["results"][0]
    assert set(result) <= ATIF_RESULT and result["source_call_id"] == first["tool_calls"][0]["tool_call_id"]
    assert set(first["metrics"]) <= ATIF_METRICS
    assert first["metrics"]["cached_tokens"] <= first["metrics"]["prompt_tokens"]
    assert any(s["source"] == "user" and "malformed" in s["message"] for s in steps[2:])  # feedback step
    assert set(out["final_metrics"]) == ATIF_FINAL
    assert out["final_metrics"]["total_steps"] == len(steps)
    assert out["final_metrics"]["total_prompt_tokens"] == traj.totals().prompt_tokens


def test_swe_agent(sample_file: Path):
    traj = load(sample_file)
    out = to_swe_agent(traj)
    assert set(out) == SWE_ROOT
    assert isinstance(out["replay_config"], str) and json.loads(out["replay_config"])
    assert len(out["trajectory"]) == 5
    for number, step in enumerate(out["trajectory"], start=1):
        assert set(step) == SWE_STEP
        assert step["query"] == traj.messages_at(number)  # the exact request
    assert out["trajectory"][0]["action"] == "ls textkit"
    assert out["trajectory"][0]["observation"].startswith("__init__.py")
    for item in out["history"]:
        assert set(item) <= SWE_HISTORY and {"role", "content", "message_type"} <= set(item)
        assert item["message_type"] in {"system", "thought", "action", "observation"}
    assert out["history"][0]["message_type"] == "system"
    info = out["info"]
    assert set(info["model_stats"]) == SWE_MODEL_STATS
    assert info["exit_status"] == "submitted" and info["submission"].startswith("diff --git")
    assert info["model_stats"]["api_calls"] == 5


def test_mini(sample_file: Path):
    traj = load(sample_file)
    out = to_mini(traj)
    assert set(out) == MINI_ROOT and out["trajectory_format"] == "mini-swe-agent-1.1"
    assert set(out["info"]) == MINI_INFO
    assert set(out["info"]["model_stats"]) == {"instance_cost", "api_calls"}
    assert set(out["info"]["config"]) == MINI_CONFIG
    messages = out["messages"]
    assert all("extra" in m and "role" in m for m in messages)
    assistant = [m for m in messages if m["role"] == "assistant"]
    assert len(assistant) == 5
    for m in assistant:
        assert {"actions", "cost", "timestamp", "response"} <= set(m["extra"])
    tools = [m for m in messages if m["role"] == "tool"]
    for m in tools:
        assert {"returncode", "timestamp"} <= set(m["extra"])
    assert messages[-1]["role"] == "exit"
    assert messages[-1]["extra"] == {"exit_status": "submitted", "submission": traj.run_end.submission}
    # the full conversation, not the compacted one
    assert any("slugify" in (m.get("content") or "") for m in tools)


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_are_pure_and_json_serializable(sample_file: Path, fmt: str):
    traj = load(sample_file)
    before = [e.model_dump() for e in traj.events]
    first = exporter(fmt)(traj)
    assert exporter(fmt)(traj) == first
    assert [e.model_dump() for e in traj.events] == before
    json.dumps(first)


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown export format"):
        exporter("otel")
