"""LiteLLMModel: any model litellm can reach, through the model layer's retry policy.

Retries and deadlines are owned by :class:`agent.models.retry.RetryPolicy`; litellm's own
retries and the OpenAI client's are turned off (``num_retries=0, max_retries=0``) so they
never stack. Each attempt runs abandonably (:mod:`agent.models.attempt`) on its own HTTP
client (:mod:`agent.models.litellm_clients`), so a deadline or a cancel really closes it.
litellm is imported on first use, with the cost map read from the installed package.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from agent.models.attempt import run_abandonable
from agent.models.base import NO_CONTEXT, AttemptCallback, CallContext, ModelMode, ModelReply, Usage
from agent.models.litellm_clients import attempt_client, guarded_family
from agent.models.litellm_wire import classify, reply_message, usage_of, wire_message
from agent.models.retry import Backoff, Failure, RetryPolicy
from agent.models.text_mode import to_text_messages

if TYPE_CHECKING:
    from agent.config import ModelConfig

ENV_MODEL = "PATCHLOOP_MODEL"
ENV_API_BASE = "PATCHLOOP_API_BASE"
ENV_API_KEY_ENV = "PATCHLOOP_API_KEY_ENV"
ENV_TEMPERATURE = "PATCHLOOP_TEMPERATURE"
# Sent as the key to a custom api_base when no key variable is named, so a hosted
# provider's key from the environment never goes to a local server.
PLACEHOLDER_KEY = "no-key-needed"


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
        sleep: Callable[[float], None] | None = None,
        backoff: Backoff | None = None,
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
        self.policy = RetryPolicy(
            config.retry,
            attempt_timeout_s=config.timeout_s,
            call_timeout_s=config.call_timeout_s,
            listener=on_retry,
            sleep=sleep,
            backoff=backoff,
        )
        self._litellm = import_litellm()
        self._family = guarded_family(self._check_provider())
        self._check_key()
        self.mode: ModelMode = self._resolve_mode()

    def _check_provider(self) -> str:
        """The provider; a name litellm cannot route (a typo) is refused before any run starts:
        the first call would fail the same way, after the sandbox was made."""
        from agent.config import ConfigError

        try:
            _, provider, _, _ = self._litellm.get_llm_provider(model=self.name, api_base=self.api_base)
        except self._litellm.BadRequestError:
            raise ConfigError(
                f"model {self.name!r}: litellm does not know which provider serves it; write provider/model "
                "(e.g. openai/gpt-4o-mini, anthropic/claude-3-5-sonnet-latest, ollama/llama3, or "
                "hosted_vllm/NAME with model.api_base), or use scripted:PATH or replay:PATH"
            ) from None
        return str(provider)

    def _check_key(self) -> None:
        """Refuse, before any run starts, a hosted model whose API key variable is not set.

        Without it litellm's first call fails as a server error, which is retried as if it
        were transient. Only providers whose every missing setting is an ``*_API_KEY``
        variable are checked: cloud credentials (AWS, Vertex) and local servers have others.
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
            "max_tokens": cfg.max_tokens,
            "timeout_s": cfg.timeout_s,
            "call_timeout_s": cfg.call_timeout_s,
            "mode": self.mode,
            "parallel_tool_calls": cfg.parallel_tool_calls,
            "drop_params": cfg.drop_params,
            "input_cost_per_token": cfg.input_cost_per_token,
            "output_cost_per_token": cfg.output_cost_per_token,
            "kwargs": dict(cfg.kwargs),
            "retry": cfg.retry.model_dump(),
        }

    def _resolve_mode(self) -> ModelMode:
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

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        request = self._request(messages, tools)
        started = time.monotonic()
        response, attempts = self.policy.call(partial(self._attempt, request), self._classify, context)
        latency_ms = (time.monotonic() - started) * 1000
        message, finish_reason = reply_message(response, self.mode, messages)
        usage = usage_of(getattr(response, "usage", None))
        return ModelReply(
            message=message,
            usage=usage,
            cost_usd=self._cost(response, usage),
            latency_ms=latency_ms,
            attempts=attempts,
            response_id=getattr(response, "id", None),
            finish_reason=finish_reason,
        )

    def _attempt(self, request: dict[str, Any], seconds: float | None, context: CallContext) -> Any:
        def send(guard: Any) -> Any:
            client = attempt_client(
                self._family, guard, api_key=request.get("api_key"), api_base=self.api_base, timeout=seconds
            )
            extra = {"client": client} if client is not None else {}
            try:
                return self._litellm.completion(**request, timeout=seconds, **extra)
            finally:
                if client is not None:
                    client.close()

        return run_abandonable(send, seconds=seconds, cancel=context.cancel)

    def _classify(self, exc: BaseException) -> Failure:
        return classify(exc, self._litellm)

    def _request(self, messages: list[dict], tools: list[dict]) -> dict[str, Any]:
        cfg = self.config
        request: dict[str, Any] = dict(cfg.kwargs)
        request.update(model=self.name, num_retries=0, max_retries=0)
        if cfg.max_tokens is not None:
            request["max_tokens"] = cfg.max_tokens
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
            request["messages"] = [wire_message(m) for m in messages]
            if tools:
                request["tools"] = tools
                if cfg.parallel_tool_calls is not None:
                    request["parallel_tool_calls"] = cfg.parallel_tool_calls
        return request

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
