"""Small helpers shared by the exporters."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def epoch(ts: str) -> float:
    """ISO-8601 (with ``Z``) to a Unix timestamp."""
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def content_text(content: Any) -> str:
    """OpenAI message content (str, None or a list of parts) as plain text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def call_arguments(tool_call: dict[str, Any]) -> dict[str, Any] | None:
    """Parsed ``function.arguments`` of an OpenAI tool call (None when not JSON)."""
    raw = tool_call.get("function", {}).get("arguments")
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def action_text(name: str, arguments: dict[str, Any] | None, raw: str) -> str:
    """A tool call as one readable action: the command for a shell tool, else name + JSON."""
    if arguments is not None and set(arguments) == {"command"} and isinstance(arguments["command"], str):
        return arguments["command"]
    return f"{name} {raw}".rstrip()
