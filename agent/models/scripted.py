"""ScriptedModel: replies from a fixed list of OpenAI assistant messages (tests, demos)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.models.base import ModelError, ModelReply, Usage
from agent.textfile import read_utf8


class _Function(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    arguments: str | dict[str, Any] = "{}"  # a dict is accepted in files and sent as its JSON


class _ToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    type: Literal["function"] = "function"
    function: _Function


class ScriptedMessage(BaseModel):
    """An assistant message in the OpenAI chat format."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: list[_ToolCall] | None = None

    def to_message(self) -> dict[str, Any]:
        calls = None
        if self.tool_calls:
            calls = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {
                        "name": call.function.name,
                        "arguments": call.function.arguments
                        if isinstance(call.function.arguments, str)
                        else json.dumps(call.function.arguments),
                    },
                }
                for call in self.tool_calls
            ]
        return {"role": "assistant", "content": self.content, "tool_calls": calls}


class ScriptedModel:
    """Answers with the given messages in order; raises ModelError when they run out.

    A scripted reply costs nothing (``cost_usd=0.0``); pass another ``cost_usd`` (per
    call, or None for "unknown") and ``usage`` to exercise cost limits.
    """

    kind = "scripted"

    def __init__(
        self,
        replies: list[dict[str, Any]],
        *,
        name: str = "scripted",
        cost_usd: float | None = 0.0,
        usage: Usage | None = None,
        source: str | None = None,
    ) -> None:
        self.name = name
        self.source = source
        self._replies = [_parse(reply, index, source) for index, reply in enumerate(replies)]
        self._next = 0
        self._cost_usd = cost_usd
        self._usage = usage or Usage()

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> ScriptedModel:
        """Load a JSONL file (one message per line) or a YAML file (a list of messages)."""
        path = Path(path)
        text = read_utf8(path, "scripted replies file", ModelError)
        if path.suffix in (".yaml", ".yml"):
            replies = _load_yaml(text, path)
        else:
            replies = _load_jsonl(text, path)
        kwargs.setdefault("name", f"scripted:{path.name}")
        return cls(replies, source=str(path), **kwargs)

    @property
    def params(self) -> dict[str, Any]:
        return {"source": self.source, "n_replies": len(self._replies), "cost_usd": self._cost_usd}

    @property
    def remaining(self) -> int:
        return len(self._replies) - self._next

    def query(self, messages: list[dict], tools: list[dict]) -> ModelReply:
        if self._next >= len(self._replies):
            raise ModelError(
                f"scripted model {self.name!r} has no reply left: all {len(self._replies)} were used; "
                "add replies (e.g. one that calls submit)"
            )
        message = self._replies[self._next]
        self._next += 1
        return ModelReply(
            message=message,
            usage=self._usage,
            cost_usd=self._cost_usd,
            latency_ms=0.0,
            attempts=1,
            response_id=f"scripted-{self._next}",
            finish_reason="tool_calls" if message.get("tool_calls") else "stop",
        )


def _parse(reply: Any, index: int, source: str | None) -> dict[str, Any]:
    where = f"{source or 'scripted replies'} reply {index + 1}"
    if not isinstance(reply, dict):
        raise ModelError(f"{where}: expected an assistant message object, got {type(reply).__name__}")
    try:
        return ScriptedMessage.model_validate(reply).to_message()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(message)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ModelError(f"{where} is not an OpenAI assistant message: {problems}") from exc


def _load_jsonl(text: str, path: Path) -> list[Any]:
    replies = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            replies.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ModelError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return replies


def _load_yaml(text: str, path: Path) -> list[Any]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModelError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise ModelError(f"{path}: expected a YAML list of assistant messages")
    return data
