"""Per-attempt HTTP clients for litellm, whose connections an abandoned attempt closes.

litellm keeps its HTTP clients in a process-wide cache, shared by every call with the same
settings; closing one attempt's connection there would cut the calls of other runs. So each
attempt gets its own client, built on the attempt's :class:`ConnectionGuard`, in the form
litellm's route for the provider takes as ``client=``:

- the OpenAI SDK route (provider ``openai``: OpenAI itself and every OpenAI-compatible
  server named ``openai/NAME`` with ``model.api_base``): an ``openai.OpenAI`` client;
- litellm's own HTTP handler route (``anthropic``, ``hosted_vllm``, ``ollama``,
  ``ollama_chat``): a ``litellm.llms.custom_httpx.http_handler.HTTPHandler``.

Other providers, and any process with a proxy variable set (a custom transport would
bypass the proxy), use litellm's shared client: an abandoned attempt there is no longer
waited for, but its connection stays open until its read timeout (``model.timeout_s``).
"""

from __future__ import annotations

import os
from typing import Any

from agent.models.attempt import ConnectionGuard

OPENAI_SDK_PROVIDERS = frozenset({"openai"})
HTTP_HANDLER_PROVIDERS = frozenset({"anthropic", "hosted_vllm", "ollama", "ollama_chat"})
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
# litellm sends the OpenAI route through its own handler when this is set.
LITELLM_HANDLER_SWITCH = "EXPERIMENTAL_OPENAI_BASE_LLM_HTTP_HANDLER"
OPENAI_DEFAULT_BASE = "https://api.openai.com/v1"


def guarded_family(provider: str) -> str | None:
    """``openai``, ``handler`` or None: which kind of client an attempt gets for ``provider``."""
    if any(os.environ.get(name) for name in PROXY_VARIABLES):
        return None
    if provider in OPENAI_SDK_PROVIDERS and not os.environ.get(LITELLM_HANDLER_SWITCH):
        return "openai"
    if provider in HTTP_HANDLER_PROVIDERS:
        return "handler"
    return None


def http_client(guard: ConnectionGuard, timeout: float | None) -> Any:
    """An ``httpx.Client`` whose every connection is opened through ``guard``."""
    import httpcore
    import httpx

    transport = httpx.HTTPTransport()
    # httpx has no public way to give its transport a network backend: its connection pool
    # (``_pool`` in httpx 0.23 to 0.28) is replaced; tests/agent/test_model_deadlines.py
    # proves the close on every route that gets such a client.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        network_backend=guard.network_backend(),
    )
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=True)


def attempt_client(
    family: str | None, guard: ConnectionGuard, *, api_key: str | None, api_base: str | None, timeout: float | None
) -> Any | None:
    """The ``client=`` argument for one attempt (None: litellm's shared client)."""
    if family == "openai":
        import openai

        return openai.OpenAI(
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or "no-key-needed",
            base_url=api_base
            or os.environ.get("OPENAI_BASE_URL")
            or os.environ.get("OPENAI_API_BASE")
            or OPENAI_DEFAULT_BASE,
            http_client=http_client(guard, timeout),
            max_retries=0,
            timeout=timeout,
        )
    if family == "handler":
        from litellm.llms.custom_httpx.http_handler import HTTPHandler

        return HTTPHandler(client=http_client(guard, timeout))
    return None
