"""Tools for the agent: the `@tool` decorator, the `Tool` base class, the registry that
validates and dispatches calls, plugin loading, and the built-in tools."""

from patchloop.hookspecs import hookimpl
from tools.base import Tool, ToolContext, ToolResult
from tools.decorator import FunctionTool, tool
from tools.errors import (
    DuplicateToolError,
    PluginLoadError,
    ToolDefinitionError,
    ToolError,
    UnknownToolError,
)
from tools.pluginfo import PluginInfo
from tools.registry import ToolRegistry
from tools.selection import build_registry

__all__ = [
    "DuplicateToolError",
    "FunctionTool",
    "PluginInfo",
    "PluginLoadError",
    "Tool",
    "ToolContext",
    "ToolDefinitionError",
    "ToolError",
    "ToolRegistry",
    "ToolResult",
    "UnknownToolError",
    "build_registry",
    "hookimpl",
    "tool",
]
