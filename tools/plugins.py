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

import hashlib
import importlib
import importlib.metadata
import importlib.util
import logging
import os
import re
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from pydantic import BaseModel, ConfigDict

from tools.base import Tool
from tools.decorator import FunctionTool
from tools.errors import PluginLoadError, ToolError

if TYPE_CHECKING:
    from tools.registry import ToolRegistry

log = logging.getLogger(__name__)

PROJECT = "patchloop"
ENTRY_POINT_GROUP = "patchloop"
LOAD_PLUGINS_ENV = "PATCHLOOP_LOAD_PLUGINS"
# Values of LOAD_PLUGINS_ENV that switch auto-loading off / on (anything else: a list of names).
_OFF = ("0", "false", "no", "off")
_ON = ("", "1", "true", "yes", "on")

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class PluginInfo(BaseModel):
    """A loaded plugin, as a trajectory records it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str | None = None
    source: str


class HookSpecs:
    """The hooks a patchloop plugin may implement."""

    @hookspec
    def register_tools(self, register: Any) -> None:
        """Register tools: call ``register(fn_or_tool, name=None, override=False)`` once per tool.

        `fn_or_tool` is an ``@tool`` function, a plain typed function, a `Tool` subclass
        (instantiated once per registry) or a `Tool` instance.
        """


def new_plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(HookSpecs)
    return manager


# -- the three ways in -----------------------------------------------------------------


def load_entry_points(
    registry: ToolRegistry, *, group: str = ENTRY_POINT_GROUP, strict: bool = False
) -> list[PluginInfo]:
    """Load every plugin installed under the entry-point `group` (see ToolRegistry.load_plugins)."""
    setting = os.environ.get(LOAD_PLUGINS_ENV, "").strip()
    if setting.lower() in _OFF:
        return []
    wanted = None if setting.lower() in _ON else {part.strip() for part in setting.split(",") if part.strip()}
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
            obj, info = _import_file(spec)
        else:
            obj, info = _import_module_spec(spec)
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


def _import_file(spec: str) -> tuple[Any, PluginInfo]:
    path = Path(spec).expanduser().resolve()
    if path.is_dir():
        raise PluginLoadError(
            spec,
            f"{path} is a folder; give a .py file in it, or the package's module name "
            "(pkg.mod) with the folder on PYTHONPATH",
        )
    if not path.is_file():
        raise PluginLoadError(spec, f"no such file: {path}")
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    stem = re.sub(r"\W", "_", path.stem)
    module_name = f"patchloop_plugin_{stem}_{digest}"
    module = sys.modules.get(module_name)
    if module is None or getattr(module, "__file__", None) != str(path):
        module_spec = importlib.util.spec_from_file_location(module_name, path)
        if module_spec is None or module_spec.loader is None:
            raise PluginLoadError(spec, f"{path} cannot be imported as a Python module")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_name] = module  # dataclasses and pydantic look their module up here
        try:
            module_spec.loader.exec_module(module)
        except BaseException as exc:
            del sys.modules[module_name]
            if not isinstance(exc, Exception):
                raise
            raise PluginLoadError(spec, f"{type(exc).__name__}: {exc}") from exc
    version = getattr(module, "__version__", None)
    info = PluginInfo(name=path.stem, version=str(version) if version is not None else None, source=f"file {path}")
    return module, info


def _import_module_spec(spec: str) -> tuple[Any, PluginInfo]:
    module_name, _, attr = spec.partition(":")
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module_name) or (
        attr and not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", attr)
    ):
        raise PluginLoadError(spec, "not a module spec; give pkg.mod, pkg.mod:attr or path/to/file.py")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        hint = (
            " (is it installed in this environment, or on PYTHONPATH?)" if exc.name == module_name.split(".")[0] else ""
        )
        raise PluginLoadError(spec, f"ModuleNotFoundError: {exc}{hint}") from exc
    except Exception as exc:  # the plugin's own import-time errors, whatever they are
        raise PluginLoadError(spec, f"{type(exc).__name__}: {exc}") from exc
    obj: Any = module
    for part in attr.split(".") if attr else []:
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise PluginLoadError(spec, f"module {module_name!r} has no attribute {attr!r}") from exc
    info = PluginInfo(name=spec, version=_module_version(module), source=f"module {spec}")
    return obj, info


def _module_version(module: types.ModuleType) -> str | None:
    """The version of the distribution that provides the module, else its __version__."""
    top = module.__name__.split(".")[0]
    try:
        return importlib.metadata.version(top)  # names are normalised: my_pkg finds my-pkg
    except importlib.metadata.PackageNotFoundError:
        pass
    version = getattr(sys.modules.get(top), "__version__", None) or getattr(module, "__version__", None)
    if version is not None:
        return str(version)
    location = str(getattr(module, "__file__", "") or "")
    if "site-packages" in location or "dist-packages" in location:
        # An installed package whose import name differs from its distribution name: the
        # full map costs a scan of every installed distribution, so it comes last.
        for dist_name in importlib.metadata.packages_distributions().get(top, []):
            try:
                return importlib.metadata.version(dist_name)
            except importlib.metadata.PackageNotFoundError:
                continue
    return None


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
