"""Configuration: YAML files and ``-c key.path=value`` overrides, validated by pydantic.

Every model forbids unknown keys, so a misplaced or misspelt key is an error that names
the key, the file (or override) it came from and the closest valid key.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.textfile import read_utf8

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
}


class ConfigError(ValueError):
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
    step_limit: int | None = Field(default=100, gt=0, description="model calls per run (null: no limit)")
    cost_limit: float | None = Field(default=3.0, gt=0, description="USD per run (null: no limit)")
    time_limit_s: float | None = Field(default=3600.0, gt=0, description="wall time per run (null: no limit)")
    max_consecutive_timeouts: int | None = Field(default=3, gt=0)
    max_format_errors: int = Field(default=3, gt=0, description="consecutive replies without a usable tool call")
    diff_exclude: list[str] = Field(
        default_factory=lambda: ["**/__pycache__/**", "**/*.pyc"],
        description="git pathspec globs left out of the submission",
    )
    templates: TemplatesConfig = Field(default_factory=TemplatesConfig)
    context: ContextConfig = Field(default_factory=ContextConfig)


class RetryConfig(Strict):
    max_attempts: int = Field(default=6, ge=1)
    max_total_delay_s: float = Field(default=300.0, gt=0)
    backoff_initial_s: float = Field(default=1.0, ge=0, description="multiplier of the jittered exponential wait")
    backoff_max_s: float = Field(default=60.0, ge=0)


class ModelConfig(Strict):
    name: str | None = Field(default=None, description="litellm model name (else --model or PATCHLOOP_MODEL)")
    api_base: str | None = None
    api_key_env: str | None = Field(default=None, description="NAME of the variable holding the key")
    temperature: float | None = None
    timeout_s: float = Field(default=120.0, gt=0)
    mode: Literal["auto", "tools", "text"] = "auto"
    parallel_tool_calls: bool | None = True
    drop_params: bool = True
    input_cost_per_token: float | None = Field(default=None, ge=0)
    output_cost_per_token: float | None = Field(default=None, ge=0)
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
    cpus: float = Field(default=2, gt=0)
    pids: int = Field(default=512, gt=0)
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


def load_config(path: str | Path | None = None, overrides: Sequence[str] = ()) -> RunConfig:
    """configs/default.yaml, then ``path``, then each ``key.path=value`` override."""
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for source in (DEFAULT_CONFIG, *([Path(path)] if path else [])):
        _merge(data, _read_yaml(source), str(source), origin, ())
    for override in overrides:
        key, value = parse_override(override)
        _set_dotted(data, key, value, f"-c {override}", origin)
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, origin)) from None


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


def _explain(exc: ValidationError, origin: dict[str, str]) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = [str(part) for part in err["loc"]]
        dotted = ".".join(loc)
        source = _source_of(loc, origin)
        if err["type"] == "extra_forbidden":
            hint = _suggest(loc)
            lines.append(f"unknown key {dotted!r} (in {source}){hint}")
        else:
            lines.append(f"{dotted}: {err['msg']} (in {source})")
    if len(lines) == 1:
        return f"invalid configuration: {lines[0]}"
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _source_of(loc: list[str], origin: dict[str, str]) -> str:
    for end in range(len(loc), 0, -1):
        source = origin.get(".".join(loc[:end]))
        if source:
            return source
    return "defaults"


def _suggest(loc: list[str]) -> str:
    """'; did you mean ...' from the valid keys at that level and the other sections."""
    candidates: list[str] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            dotted = f"{prefix}{name}"
            candidates.append(dotted)
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{dotted}.")

    walk(RunConfig, "")
    dotted = ".".join(loc)
    close = difflib.get_close_matches(dotted, candidates, n=1, cutoff=0.6)
    if not close:  # the right key in the wrong section: match on the last part
        same_leaf = [c for c in candidates if c.rsplit(".", 1)[-1] == loc[-1]]
        close = same_leaf[:1]
    return f"; did you mean {close[0]!r}?" if close else ""
