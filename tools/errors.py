"""Errors raised by the tools package.

Every error says what was wrong and what to do about it. `ToolRegistry.call` never
raises these at the model; they surface when a tool is defined, registered or looked up
by code (a plugin author, the CLI, the config loader).
"""

from __future__ import annotations


class ToolError(Exception):
    """Base class of every error raised by the tools package."""


class ToolDefinitionError(ToolError, ValueError):
    """A function or `Tool` class cannot be turned into a tool (bad name, untyped argument...)."""


class DuplicateToolError(ToolError):
    """Two tools were registered under one name without `override=True`."""

    def __init__(self, name: str, existing_source: str, new_source: str) -> None:
        self.name = name
        self.existing_source = existing_source
        self.new_source = new_source
        super().__init__(
            f"tool name {name!r} is already registered by {existing_source}; "
            f"{new_source} tries to register it again. Rename one of them "
            f"(register(..., name='other_name')) or pass override=True to replace it."
        )


class UnknownToolError(ToolError, LookupError):
    """A tool name that no registered tool has."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        listing = ", ".join(known) if known else "(none registered)"
        super().__init__(f"unknown tool {name!r}; known tools: {listing}")

    def __str__(self) -> str:  # LookupError would otherwise quote the message
        return self.args[0]


class PluginLoadError(ToolError):
    """A plugin could not be imported or did not provide any tool."""

    def __init__(self, plugin: str, cause: str) -> None:
        self.plugin = plugin
        self.cause = cause
        super().__init__(f"plugin {plugin!r} failed to load: {cause}")
