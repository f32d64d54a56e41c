"""Configuration: YAML files and ``-c key.path=value`` overrides, validated by pydantic.

Every model forbids unknown keys, so a misplaced or misspelt key is an error that names
the key, the file (or override) it came from and the closest valid key. Several files
merge in order, section by section (``load_config([a, b], overrides)``); every CLI that
takes ``--config`` more than once merges them this one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.textfile import read_utf8
from patchloop.errors import UserError
from patchloop.validation import explain
from patchloop.values import USD, PositiveInt, Seconds

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "default.yaml"
# model.kwargs may not set what patchloop owns (or a secret).
RESERVED_KWARGS = {
    "model": "model.name",
    "messages": None,
    "tools": None,
    "api_base": "model.api_base",
    "base_url": "model.api_base",
    "api_key": "model.api_key_env (the NAME of an environment variable holding the key)",
    "timeout": "model.timeout_s",
    "num_retries": "model.retry",
    "max_retries": "model.retry",
    "temperature": "model.temperature",
    "max_tokens": "model.max_tokens",
    "max_completion_tokens": "model.max_tokens",
    "client": None,
}
ConfigFiles = str | Path | Sequence[str | Path] | None


class ConfigError(UserError, ValueError):
    """A configuration could not be loaded; the message says which key and where."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TemplatesConfig(Strict):
    system: str = "system.j2"
    task: str = "task.j2"
    format_error: str = "format_error.j2"
    observation: str = "observation.j2"
    dirs: list[str] = Field(default_factory=list, description="folders searched before configs/")


class ContextConfig(Strict):
    keep_recent: int = Field(default=2, ge=0, description="newest observations left whole at the first compaction")
    min_chars: int = Field(default=200, ge=0, description="observations shorter than this are never compacted")
    placeholder: str = "[output elided to fit the context window; rerun the command if you need it]"


class AgentConfig(Strict):
    step_limit: PositiveInt | None = Field(default=100, description="model calls per run (null: no limit)")
    cost_limit: USD | None = Field(default=3.0, gt=0, description="USD per run (null: no limit)")
    time_limit_s: Seconds | None = Field(default=3600.0, description="wall time per run (null: no limit)")
    max_consecutive_timeouts: PositiveInt | None = 3
    max_format_errors: PositiveInt = Field(default=3, description="consecutive replies without a usable tool call")
    diff_exclude: list[str] = Field(
        default_factory=lambda: ["**/__pycache__/**", "**/*.pyc"],
        description="git pathspec globs left out of the submission",
    )
    templates: TemplatesConfig = Field(default_factory=TemplatesConfig)
    context: ContextConfig = Field(default_factory=ContextConfig)


class RetryConfig(Strict):
    max_attempts: PositiveInt = 6
    max_total_delay_s: Seconds = Field(default=300.0, description="seconds of backoff waits per call, at most")
    backoff_initial_s: float = Field(
        default=1.0, ge=0, allow_inf_nan=False, description="multiplier of the jittered exponential wait"
    )
    backoff_max_s: float = Field(default=60.0, ge=0, allow_inf_nan=False)
    max_identical: int = Field(
        default=2, ge=2, description="an HTTP 500 repeated identically this many times in a row is not retried again"
    )


class ModelConfig(Strict):
    name: str | None = Field(default=None, description="litellm model name (else --model or PATCHLOOP_MODEL)")
    api_base: str | None = None
    api_key_env: str | None = Field(default=None, description="NAME of the variable holding the key")
    temperature: float | None = Field(default=None, allow_inf_nan=False)
    max_tokens: PositiveInt | None = Field(default=4096, description="output limit per call (null: the provider's)")
    timeout_s: Seconds = Field(default=120.0, description="wall-clock deadline of one attempt")
    call_timeout_s: Seconds = Field(default=600.0, description="wall-clock deadline of one call, retries included")
    mode: Literal["auto", "tools", "text"] = "auto"
    parallel_tool_calls: bool | None = True
    drop_params: bool = True
    input_cost_per_token: USD | None = None
    output_cost_per_token: USD | None = None
    kwargs: dict[str, Any] = Field(default_factory=dict, description="extra litellm.completion arguments")
    retry: RetryConfig = Field(default_factory=RetryConfig)

    @field_validator("kwargs")
    @classmethod
    def _no_reserved(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if key in RESERVED_KWARGS:
                where = RESERVED_KWARGS[key]
                hint = f"use {where} instead" if where else "patchloop sets it"
                raise ValueError(f"kwargs.{key} is not allowed: {hint}")
        return value


class SandboxConfig(Strict):
    kind: Literal["docker", "local"] = "docker"
    image: str = "patchloop-base:bookworm"
    workdir: str = "/testbed"
    memory: str = "4g"
    cpus: float = Field(default=2, gt=0, allow_inf_nan=False)
    pids: PositiveInt = 512
    network: bool = False
    env: dict[str, str] = Field(default_factory=dict, description="variables set in the sandbox (never secrets)")


class ToolsConfig(Strict):
    names: list[str] | None = Field(
        default=None, min_length=1, description="the tools the agent sees, in this order (null: every registered tool)"
    )
    plugins: list[str] = Field(default_factory=list, description="modules, files or pkg.mod:attr to load")
    entry_points: bool = Field(default=True, description="load installed `patchloop` entry-point plugins")


class RunConfig(Strict):
    agent: AgentConfig = Field(default_factory=AgentConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    tools: ToolsConfig = Field(default_factory=ToolsConfig)


# ---------------------------------------------------------------------- loading


def load_config(path: ConfigFiles = None, overrides: Sequence[str] = ()) -> RunConfig:
    """configs/default.yaml, then each file of ``path`` in order (one path or several),
    then each ``key.path=value`` override."""
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for source in (DEFAULT_CONFIG, *config_files(path)):
        _merge(data, _read_yaml(source), str(source), origin, ())
    for override in overrides:
        key, value = parse_override(override)
        _set_dotted(data, key, value, f"-c {override}", origin)
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(explain(exc, origin=origin, model=RunConfig)) from None


def load_run_config(files: Sequence[str | Path], overrides: Sequence[str] = ()) -> RunConfig:
    """The runner's name for :func:`load_config` with several files."""
    return load_config(list(files), overrides)


def config_files(path: ConfigFiles) -> list[Path]:
    if path is None:
        return []
    if isinstance(path, (str, Path)):
        return [Path(path)]
    return [Path(p) for p in path]


def with_tool_selection(
    config: RunConfig, plugins: Sequence[str] = (), tools: Sequence[str] | None = None
) -> RunConfig:
    """The config with ``--plugin`` specs added to ``tools.plugins`` and ``--tools`` as
    ``tools.names``, so ``run_start.config.tools`` records exactly what decided the tools.
    A ``.py`` plugin path is made absolute, so the recorded config loads it from anywhere."""
    specs = [str(Path(spec).absolute()) if spec.endswith(".py") else spec for spec in [*config.tools.plugins, *plugins]]
    update: dict[str, Any] = {"plugins": list(dict.fromkeys(specs))}
    if tools is not None:
        update["names"] = list(tools)
    try:
        selected = ToolsConfig.model_validate({**config.tools.model_dump(), **update})
    except ValidationError as exc:
        raise ConfigError(
            explain(exc, origin=lambda loc: "--tools/--plugin", prefix="tools", title="invalid tool selection")
        ) from None
    return config.model_copy(update={"tools": selected})


def parse_override(text: str) -> tuple[str, Any]:
    """``agent.step_limit=50`` -> ("agent.step_limit", 50); the value is read as YAML."""
    import yaml

    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"override {text!r} is not of the form key.path=value (e.g. agent.step_limit=50)")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError(f"override {text!r}: the value is not valid YAML: {exc}") from None
    return key, value


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    text = read_utf8(path, "config file", ConfigError)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top, not {type(data).__name__}")
    return data


def _merge(into: dict, new: dict, source: str, origin: dict[str, str], prefix: tuple[str, ...]) -> None:
    for key, value in new.items():
        dotted = ".".join((*prefix, str(key)))
        if isinstance(value, dict) and isinstance(into.get(key), dict) and value:
            _merge(into[key], value, source, origin, (*prefix, str(key)))
        else:
            into[key] = value
            _mark(value, dotted, source, origin)


def _mark(value: Any, dotted: str, source: str, origin: dict[str, str]) -> None:
    origin[dotted] = source
    if isinstance(value, dict):
        for key, inner in value.items():
            _mark(inner, f"{dotted}.{key}", source, origin)


def _set_dotted(data: dict, key: str, value: Any, source: str, origin: dict[str, str]) -> None:
    parts = key.split(".")
    node = data
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ConfigError(f"{source}: {where} is a value ({child!r}), not a section; {key} cannot be set")
        node = child
    node[parts[-1]] = value
    _mark(value, key, source, origin)
