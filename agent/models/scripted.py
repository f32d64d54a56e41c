"""ScriptedModel: a CannedModel of OpenAI assistant messages from a list or a file (tests, demos)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.models.base import ModelReply, ModelSpecError, Usage
from agent.models.canned import CannedModel, Outcome
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


class ScriptedModel(CannedModel):
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
        self.source = source
        self._cost_usd = cost_usd
        messages = [_parse(reply, index, source) for index, reply in enumerate(replies)]
        outcomes = [
            Outcome(
                reply=ModelReply(
                    message=message,
                    usage=usage or Usage(),
                    cost_usd=cost_usd,
                    response_id=f"scripted-{number}",
                    finish_reason="tool_calls" if message.get("tool_calls") else "stop",
                )
            )
            for number, message in enumerate(messages, start=1)
        ]
        super().__init__(
            outcomes,
            name=name,
            exhausted=f"scripted model {name!r} has no reply left: all {len(outcomes)} were used; "
            "add replies (e.g. one that calls submit)",
        )

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> ScriptedModel:
        """Load a JSONL file (one message per line) or a YAML file (a list of messages)."""
        path = Path(path)
        text = read_utf8(path, "scripted replies file", ModelSpecError)
        if path.suffix in (".yaml", ".yml"):
            replies = _load_yaml(text, path)
        else:
            replies = _load_jsonl(text, path)
        kwargs.setdefault("name", f"scripted:{path.name}")
        return cls(replies, source=str(path), **kwargs)

    @property
    def params(self) -> dict[str, Any]:
        return {"source": self.source, "n_replies": len(self._outcomes), "cost_usd": self._cost_usd}


def _parse(reply: Any, index: int, source: str | None) -> dict[str, Any]:
    where = f"{source or 'scripted replies'} reply {index + 1}"
    if not isinstance(reply, dict):
        raise ModelSpecError(f"{where}: expected an assistant message object, got {type(reply).__name__}")
    try:
        return ScriptedMessage.model_validate(reply).to_message()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(message)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ModelSpecError(f"{where} is not an OpenAI assistant message: {problems}") from exc


def _load_jsonl(text: str, path: Path) -> list[Any]:
    replies = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            replies.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ModelSpecError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return replies


def _load_yaml(text: str, path: Path) -> list[Any]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModelSpecError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise ModelSpecError(f"{path}: expected a YAML list of assistant messages")
    return data
