"""Acting on a reply: its tool calls' parts and arguments, running one, what is malformed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.conversation import Conversation
    from agent.prompts import Prompts
    from agent.record import Events

# ToolResult.error_type values that mean the arguments were unusable (a format error).
FORMAT_ERROR_TYPES = frozenset({"invalid_json", "unknown_tool", "invalid_arguments"})


def call_parts(call: dict) -> tuple[str, str, str]:
    """(id, tool name, raw arguments text) of one OpenAI tool call."""
    function = call.get("function") or {}
    raw = function.get("arguments")
    if raw is None:
        raw = ""
    elif not isinstance(raw, str):
        raw = json.dumps(raw)
    return str(call.get("id") or ""), str(function.get("name") or ""), raw


def parse_arguments(raw: str) -> dict | None:
    """The arguments as an object, or None when the text is not a JSON object."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def no_call_problem(mode: str) -> str:
    return "it contained no ```bash block" if mode == "text" else "it contained no tool call"


def malformed(name: str, error_type: str | None) -> str | None:
    """The format problem of one call's result, or None when the call was usable."""
    if error_type in FORMAT_ERROR_TYPES:
        return f"{name!r}: {error_type.replace('_', ' ')}"
    return None


@dataclass
class Called:
    name: str
    result: Any  # tools.base.ToolResult
    content: str  # the observation as sent (redacted)
    seq: int  # of the tool_call event


class ToolCaller:
    """Runs one tool call of a reply: records ``tool_call``, runs it through the registry
    (which never raises), renders the observation, adds it to the conversation and records
    ``tool_result`` with exactly what is sent."""

    def __init__(self, registry: Any, prompts: Prompts, events: Events, talk: Conversation, sandbox: Any, run_id: str):
        from tools.base import ToolContext

        self.registry, self.prompts, self.events, self.talk = registry, prompts, events, talk
        self.ctx = ToolContext(sandbox=sandbox, workdir=sandbox.workdir, run_id=run_id)

    def call(self, call: dict, step: int, parent: int) -> Called:
        call_id, name, raw = call_parts(call)
        seq = self.events.tool_call(step, parent, call_id, name, parse_arguments(raw), raw)
        self.ctx.step = step
        result = self.registry.call(name, raw, self.ctx)
        text = self.prompts.render("observation", result=result, name=name)
        content = self.talk.add({"role": "tool", "tool_call_id": call_id, "content": text})["content"]
        self.events.tool_result(step, seq, call_id, name, result, content)
        return Called(name, result, content, seq)
