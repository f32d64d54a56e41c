"""LegacyModel: a model of the first protocol (``name`` and ``query(messages, tools)``).

The runner's ``oracle`` is one until it is registered through ``register_models`` with
``kind``, ``mode``, ``params`` and the ``context`` argument; the loop sees it through this
adapter, recorded as before (``kind`` its class name, ``mode`` tools, ``params`` its own).
"""

from __future__ import annotations

from typing import Any

from agent.models.base import NO_CONTEXT, CallContext, Model, ModelMode, ModelReply


def as_model(model: Any) -> Model:
    """``model`` when it has every member of the Model protocol, else adapted."""
    return model if isinstance(model, Model) else LegacyModel(model)


class LegacyModel:
    mode: ModelMode = "tools"

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = str(inner.name)
        self.kind = type(inner).__name__

    @property
    def params(self) -> dict[str, Any]:
        return dict(getattr(self.inner, "params", None) or {})

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        if context.cancel is not None:
            context.cancel.check()
        return self.inner.query(messages, tools)
