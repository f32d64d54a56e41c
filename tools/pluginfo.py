"""`PluginInfo`: a loaded plugin as a trajectory's ``run_start`` records it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PluginInfo(BaseModel):
    """A loaded plugin: its name, version (None: unknown) and where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str | None = None
    source: str
