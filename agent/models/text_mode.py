"""Text mode, for models without function calling.

The model writes its actions as fenced ```bash blocks; each block becomes a call of the
``bash`` tool (a block holding only ``submit`` becomes a call of ``submit``). The loop and
the trajectory see ordinary tool calls; only what goes over the wire is plain text.
"""

from __future__ import annotations

import re
from typing import Any

BLOCK_RE = re.compile(r"```(?:bash|sh|shell)[ \t]*\n(.*?)```", re.DOTALL)
BASH_TOOL = "bash"
BASH_ARGUMENT = "command"
SUBMIT_TOOL = "submit"


def actions_from_text(content: str) -> list[tuple[str, dict[str, Any]]]:
    """(tool name, arguments) for every fenced bash block, in order."""
    actions: list[tuple[str, dict[str, Any]]] = []
    for match in BLOCK_RE.finditer(content):
        command = match.group(1).strip("\n")
        if command.strip() == SUBMIT_TOOL:
            actions.append((SUBMIT_TOOL, {}))
        else:
            actions.append((BASH_TOOL, {BASH_ARGUMENT: command}))
    return actions


def to_text_messages(messages: list[dict]) -> list[dict]:
    """The conversation without tool calls: observations become user messages."""
    out: list[dict] = []
    for message in messages:
        role = message.get("role")
        if role == "assistant":
            out.append({"role": "assistant", "content": message.get("content") or ""})
        elif role == "tool":
            text = f"<observation>\n{message.get('content') or ''}\n</observation>"
            if out and out[-1]["role"] == "user":
                out[-1] = {"role": "user", "content": out[-1]["content"] + "\n" + text}
            else:
                out.append({"role": "user", "content": text})
        elif role == "user" and out and out[-1]["role"] == "user":
            out[-1] = {"role": "user", "content": f"{out[-1]['content']}\n{message.get('content') or ''}"}
        else:
            out.append({"role": role, "content": message.get("content") or ""})
    return out
