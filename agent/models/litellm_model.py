"""LiteLLMModel: any model litellm can reach, with retries on transient errors only.

Retries are owned here (tenacity, jittered exponential backoff, bounded attempts and
total delay); litellm's own retries and the OpenAI client's are turned off
(``num_retries=0, max_retries=0``) so they never stack. A 400, an auth error or a
context overflow is never retried. litellm is imported on first use, with the cost map
read from the installed package, never fetched.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agent.models.base import (
    AttemptCallback,
    AttemptFailure,
    ContextWindowError,
    ModelCallError,
    ModelReply,
    Usage,
)
from agent.models.text_mode import actions_from_text, to_text_messages

if TYPE_CHECKING:
    from agent.config import ModelConfig

ENV_MODEL = "PATCHLOOP_MODEL"
ENV_API_BASE = "PATCHLOOP_API_BASE"
ENV_API_KEY_ENV = "PATCHLOOP_API_KEY_ENV"
ENV_TEMPERATURE = "PATCHLOOP_TEMPERATURE"
# Sent as the key to a custom api_base when no key variable is named, so a hosted
# provider's key from the environment never goes to a local server.
PLACEHOLDER_KEY = "no-key-needed"

RETRYABLE_NAMES = (
    "RateLimitError",
    "Timeout",  # subclasses openai.APITimeoutError, not litellm.APIConnectionError
    "APIConnectionError",
    "InternalServerError",
    "ServiceUnavailableError",  # an APIStatusError, not an InternalServerError
    "BadGatewayError",
)
CONTEXT_MARKERS = re.compile(
    r"context length|context window|maximum context|context_length_exceeded|prompt is too long|too many tokens",
    re.IGNORECASE,
)
MAX_ERROR_CHARS = 2000


def import_litellm() -> Any:
    """Import litellm without any network access at import time."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


class LiteLLMModel:
    kind = "litellm"

    def __init__(
        self,
        config: ModelConfig,
        *,
        on_retry: AttemptCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from agent.config import ConfigError

        name = config.name or os.environ.get(ENV_MODEL)
        if not name:
            raise ConfigError(f"no model name: pass --model, set model.name, or set {ENV_MODEL}")
        self.name = name
        self.config = config
        self.api_base = config.api_base or os.environ.get(ENV_API_BASE) or None
        self.api_key_env = config.api_key_env or os.environ.get(ENV_API_KEY_ENV) or None
        if self.api_key_env and not os.environ.get(self.api_key_env):
            raise ConfigError(
                f"model.api_key_env names {self.api_key_env!r} but that environment variable is not set; "
                "export it or name another variable"
            )
        self.temperature = config.temperature
        if self.temperature is None and os.environ.get(ENV_TEMPERATURE):
            try:
                self.temperature = float(os.environ[ENV_TEMPERATURE])
            except ValueError:
                raise ConfigError(f"{ENV_TEMPERATURE}={os.environ[ENV_TEMPERATURE]!r} is not a number") from None
        self.on_retry = on_retry
        self._sleep = sleep
        self._litellm = import_litellm()
        self._check_provider()
        self._check_key()
        self.mode = self._resolve_mode()
        self._text_calls = 0

    def _check_provider(self) -> None:
        """Refuse, before any run starts, a name litellm cannot route (``foo:bar``, a typo):
        the first call would fail the same way, after the sandbox was made."""
        from agent.config import ConfigError

        try:
            self._litellm.get_llm_provider(model=self.name, api_base=self.api_base)
        except self._litellm.BadRequestError:
            raise ConfigError(
                f"model {self.name!r}: litellm does not know which provider serves it; write provider/model "
                "(e.g. openai/gpt-4o-mini, anthropic/claude-3-5-sonnet-latest, ollama/llama3, or "
                "hosted_vllm/NAME with model.api_base), or use scripted:PATH or replay:PATH"
            ) from None

    def _check_key(self) -> None:
        """Refuse, before any run starts, a hosted model whose API key variable is not set.

        Without it litellm's first call fails as a server error, which is retried as if it
        were transient and then ends every instance the same way. Only providers whose every
        missing setting is an ``*_API_KEY`` variable are checked: cloud credentials (AWS,
        Vertex) and local servers (Ollama's default base) have other sources.
        """
        from agent.config import ConfigError

        if self.api_base or self.api_key_env or "mock_response" in self.config.kwargs:
            return
        missing = self._litellm.validate_environment(model=self.name).get("missing_keys") or []
        if missing and all(key.endswith("_API_KEY") for key in missing):
            names = " or ".join(missing)
            raise ConfigError(
                f"model {self.name!r} needs {names} in the environment and it is not set; export it, "
                "name another variable with model.api_key_env, or set model.api_base for a local server"
            )

    @property
    def params(self) -> dict[str, Any]:
        """What run_start records: everything but the key itself (only its variable name)."""
        cfg = self.config
        return {
            "api_base": self.api_base,
            "api_key_env": self.api_key_env,
            "temperature": self.temperature,
            "timeout_s": cfg.timeout_s,
            "mode": self.mode,
            "parallel_tool_calls": cfg.parallel_tool_calls,
            "drop_params": cfg.drop_params,
            "input_cost_per_token": cfg.input_cost_per_token,
            "output_cost_per_token": cfg.output_cost_per_token,
            "kwargs": dict(cfg.kwargs),
            "retry": cfg.retry.model_dump(),
        }

    def _resolve_mode(self) -> str:
        if self.config.mode != "auto":
            return self.config.mode
        # supports_function_calling is False for unmapped (e.g. local) models: only trust a
        # mapped model's answer.
        if self.name in self._litellm.model_cost or self.name.split("/", 1)[-1] in self._litellm.model_cost:
            try:
                if not self._litellm.supports_function_calling(model=self.name):
                    return "text"
            except Exception:  # noqa: BLE001 - older litellm raises for unknown models; tools is the default
                return "tools"
        return "tools"

    # ------------------------------------------------------------------ query

    def query(self, messages: list[dict], tools: list[dict]) -> ModelReply:
        request = self._request(messages, tools)
        started = time.monotonic()
        response, attempts = self._complete_with_retries(request)
        latency_ms = (time.monotonic() - started) * 1000
        return self._reply(response, attempts, latency_ms)

    def _request(self, messages: list[dict], tools: list[dict]) -> dict[str, Any]:
        cfg = self.config
        request: dict[str, Any] = dict(cfg.kwargs)
        request.update(model=self.name, timeout=cfg.timeout_s, num_retries=0, max_retries=0)
        if cfg.drop_params:
            request["drop_params"] = True
        if self.temperature is not None:
            request["temperature"] = self.temperature
        if self.api_base:
            request["api_base"] = self.api_base
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        if key:
            request["api_key"] = key
        elif self.api_base:
            request["api_key"] = PLACEHOLDER_KEY
        if self.mode == "text":
            request["messages"] = to_text_messages(messages)
        else:
            request["messages"] = [_wire_message(m) for m in messages]
            if tools:
                request["tools"] = tools
                if cfg.parallel_tool_calls is not None:
                    request["parallel_tool_calls"] = cfg.parallel_tool_calls
        return request

    def _complete_with_retries(self, request: dict[str, Any]) -> tuple[Any, int]:
        import tenacity

        litellm = self._litellm
        retryable = tuple(getattr(litellm, name) for name in RETRYABLE_NAMES)
        retry_cfg = self.config.retry
        stop_delay = getattr(tenacity, "stop_before_delay", tenacity.stop_after_delay)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(retryable),
            wait=tenacity.wait_random_exponential(multiplier=retry_cfg.backoff_initial_s, max=retry_cfg.backoff_max_s),
            stop=tenacity.stop_after_attempt(retry_cfg.max_attempts) | stop_delay(retry_cfg.max_total_delay_s),
            before_sleep=self._before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    return litellm.completion(**request), attempts
        except retryable as exc:
            raise ModelCallError(
                _describe(exc),
                retryable=True,
                attempts=attempts,
                error_type=_error_type(exc),
            ) from exc
        except litellm.ContextWindowExceededError as exc:
            raise ContextWindowError(_describe(exc), attempts=attempts) from exc
        except litellm.BadRequestError as exc:
            if CONTEXT_MARKERS.search(str(exc)):
                raise ContextWindowError(_describe(exc), attempts=attempts) from exc
            raise ModelCallError(
                _describe(exc), retryable=False, attempts=attempts, error_type=_error_type(exc)
            ) from exc
        except litellm.AuthenticationError as exc:
            raise ModelCallError(
                f"{_describe(exc)} (check the key in {self.api_key_env or 'the provider key variable'})",
                retryable=False,
                attempts=attempts,
                error_type=_error_type(exc),
            ) from exc
        except _openai_error() as exc:  # every other litellm/openai error: not transient, not retried
            raise ModelCallError(
                _describe(exc), retryable=False, attempts=attempts, error_type=_error_type(exc)
            ) from exc
        raise AssertionError("tenacity returned without a result")  # pragma: no cover

    def _before_sleep(self, state: Any) -> None:
        if self.on_retry is None or state.outcome is None:
            return
        exc = state.outcome.exception()
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        self.on_retry(
            AttemptFailure(
                error_type=_error_type(exc),
                message=f"{_describe(exc)} (attempt {state.attempt_number}; retrying in {wait:.2f} s)",
                attempt=state.attempt_number,
                wait_s=wait,
            )
        )

    # ------------------------------------------------------------------ reply

    def _reply(self, response: Any, attempts: int, latency_ms: float) -> ModelReply:
        choice = response.choices[0]
        raw = choice.message
        content = raw.content if isinstance(raw.content, str) or raw.content is None else str(raw.content)
        tool_calls = [_tool_call_dict(call, index) for index, call in enumerate(raw.tool_calls or [])]
        if self.mode == "text":
            tool_calls = self._text_tool_calls(content or "")
        usage = _usage(getattr(response, "usage", None))
        return ModelReply(
            message={"role": "assistant", "content": content, "tool_calls": tool_calls or None},
            usage=usage,
            cost_usd=self._cost(response, usage),
            latency_ms=latency_ms,
            attempts=attempts,
            response_id=getattr(response, "id", None),
            finish_reason=getattr(choice, "finish_reason", None),
        )

    def _text_tool_calls(self, content: str) -> list[dict[str, Any]]:
        calls = []
        for name, arguments in actions_from_text(content):
            self._text_calls += 1
            calls.append(
                {
                    "id": f"call_text_{self._text_calls}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
            )
        return calls

    def _cost(self, response: Any, usage: Usage) -> float | None:
        cfg = self.config
        if cfg.input_cost_per_token is not None or cfg.output_cost_per_token is not None:
            return usage.prompt_tokens * (cfg.input_cost_per_token or 0.0) + usage.completion_tokens * (
                cfg.output_cost_per_token or 0.0
            )
        hidden = getattr(response, "_hidden_params", None) or {}
        cost = hidden.get("response_cost")
        if cost is None:
            try:
                cost = self._litellm.completion_cost(completion_response=response)
            except Exception:  # noqa: BLE001 - litellm raises assorted errors for unpriced models: cost unknown
                return None
        return float(cost) if cost is not None else None


def _wire_message(message: dict) -> dict:
    """Providers reject an empty or null ``tool_calls`` list: leave the key out then."""
    if message.get("role") == "assistant" and not message.get("tool_calls") and "tool_calls" in message:
        return {k: v for k, v in message.items() if k != "tool_calls"}
    return message


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


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    details = getattr(raw, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    return Usage(
        prompt_tokens=getattr(raw, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(raw, "completion_tokens", 0) or 0,
        cached_tokens=cached or 0,
    )


def _openai_error() -> type[Exception]:
    import openai

    return openai.OpenAIError


def _error_type(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown"
    module = type(exc).__module__.split(".")[0]
    return f"{module}.{type(exc).__name__}"


def _describe(exc: BaseException | None) -> str:
    text = str(exc)
    if not text.startswith(("litellm.", type(exc).__name__)):  # litellm's messages usually name it
        text = f"{_error_type(exc)}: {text}"
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 20] + " ...[truncated]"
    return text
