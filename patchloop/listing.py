"""``plugins``: what is installed and what is registered, for every CLI that lists them.

One row per plugin (built-in or installed; its version and the hooks it implements),
then the registered backends of each kind with the plugin that registered them.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

from patchloop.plugins import DEFAULT_PLUGINS, HOOKS, PluginError, backends, plugin_manager


def plugin_rows(manager: Any) -> list[dict[str, Any]]:
    versions = {
        ep.name: (ep.dist.name if ep.dist else "?", ep.dist.version if ep.dist else None)
        for ep in importlib.metadata.entry_points(group="patchloop")
    }
    rows = []
    for name, plugin in manager.list_name_plugin():
        hooks = sorted(impl for impl in ("register_tools", *HOOKS.values()) if hasattr(plugin, impl))
        dist, version = versions.get(name, (None, None))
        rows.append(
            {
                "name": name,
                "builtin": name in DEFAULT_PLUGINS,
                "distribution": dist,
                "version": version,
                "hooks": hooks,
            }
        )
    return rows


def listing() -> dict[str, Any]:
    """Plugins and backends as plain data (``--json`` prints it as is)."""
    manager = plugin_manager()
    kinds: dict[str, Any] = {}
    for kind in HOOKS:
        try:
            found = backends(manager, kind)  # type: ignore[arg-type]
        except PluginError as exc:
            kinds[kind] = {"error": str(exc)}
            continue
        kinds[kind] = {name: found.owner(name) for name in found.names()}
    tools: list[Any] = []
    manager.hook.register_tools(register=lambda item, *args, **kwargs: tools.append(item))
    kinds["tool"] = sorted(getattr(item, "name", getattr(item, "__name__", repr(item))) for item in tools)
    return {"plugins": plugin_rows(manager), "backends": kinds}


def format_listing(data: dict[str, Any]) -> str:
    lines = ["plugins:"]
    for row in data["plugins"]:
        origin = "built-in" if row["builtin"] else f"{row['distribution']} {row['version'] or ''}".strip()
        lines.append(f"  {row['name']}  ({origin})  hooks: {', '.join(row['hooks']) or 'none'}")
    for kind, found in data["backends"].items():
        if isinstance(found, dict) and "error" in found:
            lines.append(f"{kind} backends: error: {found['error']}")
        elif isinstance(found, dict):
            shown = ", ".join(f"{name} [{owner}]" for name, owner in found.items()) or "none"
            lines.append(f"{kind} backends: {shown}")
        else:
            lines.append(f"{kind}s: {', '.join(found) or 'none'}")
    return "\n".join(lines)
