"""make_model: a model from a ``--model`` string and the model config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.models.base import AttemptCallback, Model

if TYPE_CHECKING:
    from agent.config import ModelConfig


def make_model(spec: str | None, config: ModelConfig, *, on_retry: AttemptCallback | None = None) -> Model:
    """``scripted:PATH``, ``replay:PATH`` or any litellm model name (None: ``model.name``)."""
    spec = spec or config.name
    if spec and spec.startswith("scripted:"):
        from agent.models.scripted import ScriptedModel

        return ScriptedModel.from_file(spec.removeprefix("scripted:"))
    if spec and spec.startswith("replay:"):
        from agent.models.replay import ReplayModel

        return ReplayModel(spec.removeprefix("replay:"))
    from agent.models.litellm_model import LiteLLMModel

    return LiteLLMModel(config.model_copy(update={"name": spec}), on_retry=on_retry)
