"""HumanModel: you are the model. Each reply is a command you type.

What the agent was told since your last reply (the task, then each observation) is shown
on ``output`` (stderr by default, so stdout keeps the run's result); then you type:

- a shell command: it becomes a call of the ``bash`` tool (end a line with ``\\`` to go on
  on the next one);
- ``/submit``: call ``submit`` (the run ends with the patch);
- ``/tool NAME {json}``: call any offered tool with these arguments;
- ``/system``: show the system prompt; ``/help``: this list;
- ``/quit`` or end of input: stop (the run ends ``interrupted``).

Input is read in bounded waits, so a cancel or the run's time limit ends a wait too.
"""

from __future__ import annotations

import json
import os
import select
import sys
from typing import Any, TextIO

from agent.models.base import NO_CONTEXT, CallContext, ModelMode, ModelReply
from patchloop.cancel import Cancelled

POLL_S = 0.2
HELP = "type a shell command, or /submit, /tool NAME {json}, /system, /help, /quit"


class HumanModel:
    kind = "human"
    mode: ModelMode = "tools"

    def __init__(self, *, input: TextIO | None = None, output: TextIO | None = None, name: str = "human") -> None:
        self.name = name
        self._input = input if input is not None else sys.stdin
        self._output = output if output is not None else sys.stderr
        self._shown = 0
        self._replies = 0
        self._pending = b""

    @property
    def params(self) -> dict[str, Any]:
        return {"input": getattr(self._input, "name", type(self._input).__name__)}

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        names = [(t.get("function") or {}).get("name") for t in tools]
        self._show(messages[self._shown :])
        self._shown = len(messages)
        while True:
            text = self._command(context)
            if text == "/help" or not text:
                self._say(HELP)
            elif text == "/system":
                self._say(next((m.get("content") or "" for m in messages if m.get("role") == "system"), ""))
            elif text == "/quit":
                raise Cancelled("the human ended the session (/quit)")
            elif text == "/submit":
                return self._call("submit", {}, names)
            elif text.startswith("/tool "):
                name, _, raw = text[len("/tool ") :].strip().partition(" ")
                try:
                    arguments = json.loads(raw or "{}")
                except json.JSONDecodeError as exc:
                    self._say(f'not JSON ({exc.msg}); write /tool NAME {{"key": "value"}}')
                    continue
                return self._call(name, arguments, names)
            elif text.startswith("/"):
                self._say(f"unknown command {text.split()[0]!r}; {HELP}")
            elif "bash" not in names:
                self._say(f"no bash tool is offered ({', '.join(map(str, names))}); use /tool NAME {{json}}")
            else:
                return self._call("bash", {"command": text}, names)

    def _call(self, name: str, arguments: Any, names: list[Any]) -> ModelReply:
        if name not in names:
            self._say(f"note: {name!r} is not an offered tool ({', '.join(map(str, names))}); sent anyway")
        self._replies += 1
        call_id = f"human_{self._replies}"
        function = {"name": name, "arguments": json.dumps(arguments)}
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": call_id, "type": "function", "function": function}],
        }
        return ModelReply(message=message, cost_usd=0.0, response_id=call_id, finish_reason="tool_calls")

    def _show(self, messages: list[dict]) -> None:
        for message in messages:
            role = message.get("role")
            if role == "system":
                self._say(f"[system prompt: {len(message.get('content') or '')} characters; /system shows it]")
            elif role in ("user", "tool"):
                self._say(f"--- {'observation' if role == 'tool' else 'user'}\n{message.get('content') or ''}")

    def _say(self, text: str) -> None:
        print(text, file=self._output, flush=True)

    def _command(self, context: CallContext) -> str:
        parts: list[str] = []
        while True:
            print("> " if not parts else "... ", end="", file=self._output, flush=True)
            line = self._line(context)
            if line is None:
                raise Cancelled("the human ended the session (end of input)")
            if line.endswith("\\"):
                parts.append(line[:-1])
                continue
            parts.append(line)
            return "\n".join(parts).strip()

    def _line(self, context: CallContext) -> str | None:
        """One line without its newline; None at end of input."""
        try:
            fd = self._input.fileno()
        except (AttributeError, OSError, ValueError):  # a StringIO: read it directly
            line = self._input.readline()
            return line.rstrip("\n") if line else None
        while b"\n" not in self._pending:
            if context.cancel is not None:
                context.cancel.check()
            if context.deadline is not None and context.deadline.expired:
                raise Cancelled("the run's time limit passed while waiting for input", status="time_limit")
            ready, _, _ = select.select([fd], [], [], POLL_S)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    if not self._pending:
                        return None
                    self._pending += b"\n"
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode("utf-8", errors="replace")
