"""Deciding which tools an agent sees: built-ins, plugins, and a list of names."""

from __future__ import annotations

from collections.abc import Sequence

from tools.registry import ToolRegistry


def build_registry(
    tool_names: Sequence[str] | None,
    plugins: Sequence[str] = (),
    load_entry_points: bool = True,
    *,
    builtins: bool = True,
) -> ToolRegistry:
    """The registry an agent run uses.

    Starts from the built-in plugins' tools (``builtins=False``: none); with `load_entry_points`, adds installed plugins
    (entry-point group `patchloop`, off with PATCHLOOP_LOAD_PLUGINS=0; a broken one is
    logged and skipped); then loads each of `plugins` (`pkg.mod`, `pkg.mod:attr` or a
    `.py` path, as given by `--plugin`), which must load or PluginLoadError is raised.
    Finally, when `tool_names` is given, keeps just those tools in that order (an unknown
    name raises UnknownToolError listing the known ones); None keeps every tool.
    """
    registry = ToolRegistry.with_builtins() if builtins else ToolRegistry()
    if load_entry_points:
        registry.load_plugins()
    for spec in plugins:
        registry.load(spec, strict=True)
    if tool_names is None:
        return registry
    return registry.select(tool_names)
