"""The seam every sandbox backend implements, and what it is asked to open.

A backend is a class registered through the ``register_sandboxes`` hook (see
``sandbox/plugin.py`` for the built-ins, docs/plugins.md for a third-party one). It has a
``name`` (``--sandbox NAME``), a strict pydantic ``Config`` whose ``backend`` field is
``Literal[name]`` (its section of the run config), and owns the lifecycle of its sandboxes:

- ``check()``: is it usable here? One line saying what answers (raises a one-line error);
- ``prepare(images)``: make the images present (pulled or built), waits bounded; returns
  those that could not be had, with the reason;
- ``open(spec)``: a started ``Sandbox`` for a ``SandboxSpec``;
- ``cleanup(run_id)``: remove what this backend left for that run (every run with None);
  the names of what it removed;
- ``describe()``: what ``run_start`` records (backend, engine version, limits).

``Backend(config)`` makes one; ``Backend()`` uses the defaults of its ``Config``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from sandbox.base import Sandbox


class SandboxSpec(BaseModel):
    """What one sandbox is for: the caller's side of ``open``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str = Field(min_length=1, description="labels what the sandbox leaves, for cleanup(run_id)")
    image: str | None = Field(default=None, description="the image (None: the backend config's)")
    workdir: str | None = Field(default=None, description="where commands start (None: the config's)")
    env: dict[str, str] = Field(default_factory=dict, description="added to the config's env (never secrets)")
    network: bool = Field(default=False, description="give the sandbox a network (agents never get one)")
    labels: dict[str, str] = Field(default_factory=dict, description="extra labels (instance id, component)")
    role: Literal["agent", "eval"] = "agent"
    init_script: str | None = Field(default=None, description="shell run at every session start")


class BackendConfig(BaseModel):
    """Base of every backend's config section: strict, and named by its ``backend`` field."""

    model_config = ConfigDict(extra="forbid")

    backend: str


@runtime_checkable
class SandboxBackend(Protocol):
    name: ClassVar[str]
    Config: ClassVar[type[BackendConfig]]
    config: BackendConfig

    def check(self) -> str: ...

    def prepare(self, images: Sequence[str]) -> dict[str, str]: ...

    def open(self, spec: SandboxSpec) -> Sandbox: ...

    def cleanup(self, run_id: str | None) -> list[str]: ...

    def describe(self) -> dict[str, Any]: ...
