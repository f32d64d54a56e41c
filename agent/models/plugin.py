"""The built-in model backends, registered through the same ``register_models`` hook as
any plugin's: ``litellm`` (the default for a name without a registered prefix),
``scripted:PATH``, ``replay:PATH`` and ``human``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from patchloop import hookimpl

if TYPE_CHECKING:
    from agent.config import ModelConfig
    from agent.models.base import AttemptCallback, Model


@dataclass(frozen=True)
class Backend:
    """``--model PREFIX:REST`` (or the bare ``PREFIX`` when ``bare``) makes ``make(REST, config)``."""

    prefix: str
    summary: str
    bare: bool = False

    def make(self, rest: str | None, config: ModelConfig, *, on_retry: AttemptCallback | None = None) -> Model:
        return _MAKERS[self.prefix](rest, config, on_retry)


def _litellm(rest: str | None, config: ModelConfig, on_retry: AttemptCallback | None) -> Model:
    from agent.models.litellm_model import LiteLLMModel

    return LiteLLMModel(config.model_copy(update={"name": rest or config.name}), on_retry=on_retry)


def _scripted(rest: str | None, config: ModelConfig, on_retry: AttemptCallback | None) -> Model:
    from agent.models.scripted import ScriptedModel

    return ScriptedModel.from_file(_path(rest, "scripted"))


def _replay(rest: str | None, config: ModelConfig, on_retry: AttemptCallback | None) -> Model:
    from agent.models.replay import ReplayModel

    return ReplayModel(_path(rest, "replay"))


def _human(rest: str | None, config: ModelConfig, on_retry: AttemptCallback | None) -> Model:
    from agent.models.human import HumanModel

    return HumanModel()


def _path(rest: str | None, prefix: str) -> str:
    from agent.models.base import ModelSpecError

    if not rest:
        raise ModelSpecError(f"--model {prefix}:PATH needs the path of a file after the colon")
    return rest


_MAKERS: dict[str, Any] = {"litellm": _litellm, "scripted": _scripted, "replay": _replay, "human": _human}
BUILTIN_BACKENDS = (
    Backend("litellm", "any litellm model name (openai/gpt-4o-mini, ollama/llama3:8b, ...)"),
    Backend("scripted", "scripted:PATH, assistant messages from a JSONL or YAML file"),
    Backend("replay", "replay:PATH, the replies recorded in a trajectory"),
    Backend("human", "human, you type each reply (a command, /submit, /tool NAME {json})", bare=True),
)


@hookimpl
def register_models(register: Any) -> None:
    for backend in BUILTIN_BACKENDS:
        register(backend)
