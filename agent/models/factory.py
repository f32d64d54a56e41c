"""make_model: a model from a ``--model`` spec, by the backends registered through the
``register_models`` hook.

``PREFIX:REST`` picks the backend registered under PREFIX (``scripted:runs/r.jsonl``);
a registered bare name picks it alone (``human``); anything else is a litellm name
(``openai/gpt-4o``, ``ollama/llama3:8b``: a ``/`` before the colon is litellm's). A
prefix that looks like one but is not registered is a one-line error listing the
registered ones. ``ft:...`` (OpenAI fine-tuned model ids) stays a litellm name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from agent.models.base import AttemptCallback, Model, ModelSpecError

if TYPE_CHECKING:
    import pluggy

    from agent.config import ModelConfig
    from patchloop.plugins import Backends

DEFAULT_BACKEND = "litellm"
PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
LITELLM_COLON_PREFIXES = frozenset({"ft"})


class ModelBackend(Protocol):
    """What a plugin registers with ``register_models``."""

    @property
    def prefix(self) -> str: ...

    @property
    def bare(self) -> bool:
        """Whether the prefix alone (no colon) selects it, like ``human``."""
        ...

    def make(self, rest: str | None, config: ModelConfig, *, on_retry: AttemptCallback | None = None) -> Model: ...


def model_backends(manager: pluggy.PluginManager | None = None) -> Backends[Any]:
    from patchloop.plugins import backends, plugin_manager

    return backends(manager or plugin_manager(), "model", key=lambda backend: backend.prefix)


def choose(spec: str | None, registered: Backends[Any]) -> tuple[Any, str | None]:
    """(backend, the rest of the spec) for ``spec``."""
    from patchloop.plugins import UnknownBackendError

    if spec:
        head, colon, rest = spec.partition(":")
        if colon and PREFIX.fullmatch(head) and head not in LITELLM_COLON_PREFIXES:
            try:
                return registered.get(head), rest
            except UnknownBackendError as exc:
                raise ModelSpecError(
                    f"--model {spec}: {exc}; a litellm model is written provider/model (e.g. openai/gpt-4o-mini)"
                ) from None
        if not colon and spec in registered and registered.get(spec).bare:
            return registered.get(spec), None
    try:
        return registered.get(DEFAULT_BACKEND), spec
    except UnknownBackendError as exc:
        raise ModelSpecError(f"--model {spec}: {exc}") from None


def make_model(
    spec: str | None,
    config: ModelConfig,
    *,
    on_retry: AttemptCallback | None = None,
    manager: pluggy.PluginManager | None = None,
) -> Model:
    """The model ``spec`` names (None: ``model.name``, else ``$PATCHLOOP_MODEL``, as litellm)."""
    backend, rest = choose(spec or config.name, model_backends(manager))
    return backend.make(rest, config, on_retry=on_retry)
