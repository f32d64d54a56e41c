"""What goes over the wire to litellm and what comes back: the reply, usage, and how a
failure is classified for the retry policy."""

from __future__ import annotations

import json
import re
from typing import Any

from agent.models.attempt import AttemptTimeout
from agent.models.base import Usage
from agent.models.retry import Failure
from agent.models.text_mode import actions_from_text

RETRYABLE_NAMES = (
    "RateLimitError",
    "Timeout",  # subclasses openai.APITimeoutError, not litellm.APIConnectionError
    "APIConnectionError",
    "InternalServerError",
    "ServiceUnavailableError",  # an APIStatusError, not an InternalServerError
    "BadGatewayError",
)
AUTH_NAMES = ("AuthenticationError", "PermissionDeniedError")
CONTEXT_MARKERS = re.compile(
    r"context length|context window|maximum context|context_length_exceeded|prompt is too long|too many tokens",
    re.IGNORECASE,
)
MAX_ERROR_CHARS = 2000
TEXT_CALL_PREFIX = "call_text_"


def wire_message(message: dict) -> dict:
    """Providers reject an empty or null ``tool_calls`` list: leave the key out then."""
    if message.get("role") == "assistant" and not message.get("tool_calls") and "tool_calls" in message:
        return {k: v for k, v in message.items() if k != "tool_calls"}
    return message


def reply_message(response: Any, mode: str, messages: list[dict]) -> tuple[dict[str, Any], str | None]:
    """The assistant message of a litellm response (tool calls from bash blocks in text
    mode) and its finish reason."""
    choice = response.choices[0]
    raw = choice.message
    content = raw.content if isinstance(raw.content, str) or raw.content is None else str(raw.content)
    tool_calls = [_tool_call_dict(call, index) for index, call in enumerate(raw.tool_calls or [])]
    if mode == "text":
        tool_calls = text_tool_calls(content or "", messages)
    message = {"role": "assistant", "content": content, "tool_calls": tool_calls or None}
    return message, getattr(choice, "finish_reason", None)


def text_tool_calls(content: str, messages: list[dict]) -> list[dict[str, Any]]:
    """One ``call_text_N`` tool call per fenced block, numbered on from the conversation's
    earlier ones (so the ids depend on the run alone, whoever else uses the model)."""
    earlier = sum(
        1
        for m in messages
        if m.get("role") == "assistant"
        for call in m.get("tool_calls") or []
        if str(call.get("id", "")).startswith(TEXT_CALL_PREFIX)
    )
    calls = []
    for offset, (name, arguments) in enumerate(actions_from_text(content), start=1):
        calls.append(
            {
                "id": f"{TEXT_CALL_PREFIX}{earlier + offset}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        )
    return calls


def _tool_call_dict(call: Any, index: int) -> dict[str, Any]:
    function = call.function
    arguments = function.arguments
    if not isinstance(arguments, str):  # some providers (Ollama native) send a dict
        arguments = json.dumps(arguments)
    return {
        "id": call.id or f"call_{index}",
        "type": "function",
        "function": {"name": function.name or "", "arguments": arguments},
    }


def usage_of(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    details = getattr(raw, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    return Usage(
        prompt_tokens=getattr(raw, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(raw, "completion_tokens", 0) or 0,
        cached_tokens=cached or 0,
    )


def classify(exc: BaseException, litellm: Any) -> Failure:
    """Retry, context window or fatal; anything that is not a model failure is raised (a bug)."""
    if isinstance(exc, AttemptTimeout):
        return Failure("retry", "patchloop.AttemptTimeout", str(exc))
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) and answered(exc) else None
    if isinstance(exc, tuple(getattr(litellm, name) for name in RETRYABLE_NAMES)):
        if isinstance(exc, litellm.RateLimitError):
            return Failure("retry", error_type(exc), describe(exc), status, "model_quota")
        return Failure("retry", error_type(exc), describe(exc), status, "model_unreachable")
    if isinstance(exc, litellm.ContextWindowExceededError):
        return Failure("context_window", error_type(exc), describe(exc), status)
    if isinstance(exc, litellm.BadRequestError) and CONTEXT_MARKERS.search(str(exc)):
        return Failure("context_window", error_type(exc), describe(exc), status)
    if isinstance(exc, tuple(getattr(litellm, name) for name in AUTH_NAMES)):
        return Failure("fatal", error_type(exc), describe(exc), status, "model_auth")
    import openai

    if isinstance(exc, openai.OpenAIError):  # litellm's errors subclass the OpenAI SDK's
        return Failure("fatal", error_type(exc), describe(exc), status, "other")
    raise exc


def answered(exc: BaseException) -> bool:
    """Whether the server sent a response: litellm reports a dropped connection as a 500
    too, so the cause chain is searched for a transport failure."""
    import httpx
    import openai

    transport = (openai.APIConnectionError, httpx.TransportError)
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return True
        if isinstance(seen, transport):
            return False
        seen = seen.__cause__ or seen.__context__
    return True


def error_type(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown"
    module = type(exc).__module__.split(".")[0]
    return f"{module}.{type(exc).__name__}"


def describe(exc: BaseException | None) -> str:
    text = str(exc)
    if not text.startswith(("litellm.", type(exc).__name__)):  # litellm's messages usually name it
        text = f"{error_type(exc)}: {text}"
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 20] + " ...[truncated]"
    return text
