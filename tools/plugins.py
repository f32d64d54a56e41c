"""Plugin loading: installed packages (entry points), modules, and `.py` files.

A plugin provides tools in one of two ways:

* it implements the hook ``@hookimpl def register_tools(register)`` and calls
  ``register(fn_or_tool, name=None, override=False)`` for each tool;
* or (modules and files only) it defines module-level ``@tool`` functions, `Tool`
  instances or `Tool` subclasses, which are collected when it has no hook.

Each plugin's tools are registered all together or not at all, under the source
"plugin NAME (...)", and the plugin is recorded on the registry as a `PluginInfo`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import os
import types
from typing import TYPE_CHECKING, Any

import pluggy

from patchloop import hookspecs
from patchloop.hookspecs import PROJECT
from patchloop.plugins import ENTRY_POINT_GROUP, LOAD_PLUGINS_ENV, load_setting
from tools.base import Tool
from tools.decorator import FunctionTool
from tools.errors import PluginLoadError, ToolError
from tools.loading import import_file, import_module_spec
from tools.pluginfo import PluginInfo

if TYPE_CHECKING:
    from tools.registry import ToolRegistry

log = logging.getLogger(__name__)


def new_plugin_manager() -> pluggy.PluginManager:
    """A manager with patchloop's hookspecs, for the hooks of the plugins this registry loads."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


# -- the three ways in -----------------------------------------------------------------


def load_entry_points(
    registry: ToolRegistry, *, group: str = ENTRY_POINT_GROUP, strict: bool = False
) -> list[PluginInfo]:
    """Load every plugin installed under the entry-point `group` (see ToolRegistry.load_plugins)."""
    wanted = load_setting(os.environ.get(LOAD_PLUGINS_ENV))
    if wanted is False:
        return []
    found = sorted(importlib.metadata.entry_points(group=group), key=lambda ep: ep.name)
    for missing in sorted((wanted or set()) - {ep.name for ep in found}):
        available = ", ".join(sorted({ep.name for ep in found})) or "none"
        _fail(
            registry,
            PluginLoadError(
                missing,
                f"{LOAD_PLUGINS_ENV} names it, but no installed package provides an entry point "
                f"of that name in the group {group!r} (installed: {available})",
            ),
            strict,
        )
    loaded: list[PluginInfo] = []
    seen: set[tuple[str, str]] = set()
    for entry_point in found:
        if (entry_point.name, entry_point.value) in seen:
            continue  # the same distribution found twice on sys.path
        seen.add((entry_point.name, entry_point.value))
        if wanted is not None and entry_point.name not in wanted:
            continue
        dist = entry_point.dist
        version = dist.version if dist is not None else None
        where = f"entry point {group}:{entry_point.name} = {entry_point.value}"
        if dist is not None:
            where += f" in {dist.name} {version}"
        info = PluginInfo(name=entry_point.name, version=version, source=where)
        try:
            try:
                obj = entry_point.load()
            except Exception as exc:  # an import can fail any way the plugin's code can
                raise PluginLoadError(entry_point.name, f"{type(exc).__name__}: {exc}") from exc
            install(registry, obj, info)
        except PluginLoadError as error:
            _fail(registry, error, strict)
            continue
        loaded.append(info)
    return loaded


def load_spec(registry: ToolRegistry, spec: str, *, strict: bool = True) -> PluginInfo | None:
    """Load a plugin from `pkg.mod`, `pkg.mod:attr` or a path to a `.py` file."""
    try:
        if not isinstance(spec, str) or not spec.strip():
            raise PluginLoadError(str(spec), "empty plugin spec; give pkg.mod, pkg.mod:attr or path/to/file.py")
        spec = spec.strip()
        if spec.endswith(".py") or "/" in spec or os.sep in spec:
            obj, info = import_file(spec)
        else:
            obj, info = import_module_spec(spec)
        install(registry, obj, info)
    except PluginLoadError as error:
        _fail(registry, error, strict)
        return None
    return info


def _fail(registry: ToolRegistry, error: PluginLoadError, strict: bool) -> None:
    if strict:
        raise error
    log.warning("%s", error)
    registry.plugin_errors.append(error)


# -- turning a loaded object into registered tools --------------------------------------


def install(registry: ToolRegistry, obj: Any, info: PluginInfo) -> None:
    """Register the tools that `obj` (module, hook object, tool or list) provides.

    An object this registry already loaded (say, a module found through its entry point
    and also given as `--plugin`) is skipped: its tools are there already.
    """
    if any(loaded is obj for loaded in registry.plugin_objects):
        log.debug("plugin %s is already loaded; skipping it", info.name)
        return
    source = f"plugin {info.name!r} ({info.source})"
    staged: list[tuple[Tool, str, bool]] = []

    def register(tool_or_fn: Any, name: str | None = None, *, override: bool = False) -> None:
        from tools.registry import as_tool

        staged.append((as_tool(tool_or_fn, name=name), source, override))

    try:
        if _has_hookimpl(obj):
            _call_hook(registry, obj, info, register)
        elif isinstance(obj, types.ModuleType):
            found = module_tools(obj)
            if not found:
                raise PluginLoadError(
                    info.name,
                    f"module {obj.__name__!r} has no register_tools hook and defines no @tool "
                    "functions or Tool classes",
                )
            for item in found:
                register(item)
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                register(item)
        else:
            register(obj)
        registry.add_checked(staged)
    except PluginLoadError:
        raise
    except ToolError as exc:
        raise PluginLoadError(info.name, f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # the plugin's hook ran its own code; report what it raised
        raise PluginLoadError(info.name, f"its register_tools hook raised {type(exc).__name__}: {exc}") from exc
    registry.plugin_objects.append(obj)
    if info not in registry.plugins:
        registry.plugins.append(info)


def install_builtins(registry: ToolRegistry) -> None:
    """The tools of every built-in plugin (``patchloop.plugins.DEFAULT_PLUGINS``) that has a
    ``register_tools`` hook, through that hook, with the source ``builtin``."""
    from patchloop.plugins import DEFAULT_PLUGINS
    from tools.registry import as_tool

    staged: list[tuple[Tool, str, bool]] = []

    def register(tool_or_fn: Any, name: str | None = None, *, override: bool = False) -> None:
        staged.append((as_tool(tool_or_fn, name=name), "builtin", override))

    for module_name in DEFAULT_PLUGINS:
        hook = getattr(importlib.import_module(module_name), "register_tools", None)
        if hook is not None and hasattr(hook, f"{PROJECT}_impl"):
            hook(register=register)
    registry.add_checked(staged)


def _has_hookimpl(obj: Any) -> bool:
    marker = f"{PROJECT}_impl"
    if hasattr(obj, marker) and callable(obj):
        return True  # a bare hook function, e.g. "pkg.mod:register_tools"
    if isinstance(obj, (Tool, list, tuple)) or (isinstance(obj, type) and issubclass(obj, Tool)):
        return False
    return any(hasattr(getattr(obj, attr, None), marker) for attr in dir(obj) if not attr.startswith("__"))


def _call_hook(registry: ToolRegistry, obj: Any, info: PluginInfo, register: Any) -> None:
    manager = registry.plugin_manager()
    holder = obj
    if not isinstance(obj, (types.ModuleType, type)) and hasattr(obj, f"{PROJECT}_impl"):
        holder = types.SimpleNamespace(register_tools=obj)  # a bare hook function
    if not manager.is_registered(holder):
        try:
            manager.register(holder, name=f"{info.name} [{info.source}]")
            manager.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            if manager.is_registered(holder):
                manager.unregister(holder)
            raise PluginLoadError(info.name, f"invalid hook implementation: {exc}") from exc
    for impl in manager.hook.register_tools.get_hookimpls():
        if impl.plugin is holder:
            impl.function(**{arg: register for arg in impl.argnames})


def module_tools(module: types.ModuleType) -> list[Any]:
    """The tools a module defines itself: @tool functions, Tool instances, Tool subclasses."""
    found: list[Any] = []
    for value in list(vars(module).values()):
        if isinstance(value, FunctionTool):
            if value.fn.__module__ == module.__name__:
                found.append(value)
        elif isinstance(value, Tool):
            found.append(value)  # an instance made here, e.g. `grep = SearchTool(limit=50)`
        elif (
            isinstance(value, type)
            and issubclass(value, Tool)
            and value is not Tool
            and value.__module__ == module.__name__
            and value.name
            and "run" in _own_attrs(value)
        ):
            found.append(value)
    return found


def _own_attrs(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is Tool:
            break
        names.update(vars(klass))
    return names
