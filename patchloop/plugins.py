"""The plugin manager: built-in plugins, installed entry points, and backends by name.

Every run builds its own manager (``plugin_manager()``; no process-wide state). The
built-ins in ``DEFAULT_PLUGINS`` register through the same hooks as third-party
packages, which come from the entry-point group ``patchloop``:

    [project.entry-points.patchloop]
    my_plugin = "my_package.plugin"

``PATCHLOOP_LOAD_PLUGINS`` controls entry points: ``0`` turns them off, a comma-separated
list loads only those names. ``backends(manager, "sandbox")`` collects one kind of
backend into a :class:`Backends`, where an unknown name is a one-line error that lists
what is registered and, for a plugin that is known but not installed, what to install.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, Literal, TypeVar

import pluggy

from patchloop import hookspecs
from patchloop.errors import PatchloopError, UserError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "patchloop"
LOAD_PLUGINS_ENV = "PATCHLOOP_LOAD_PLUGINS"
_OFF = ("0", "false", "no", "off")
_ON = ("", "1", "true", "yes", "on")

# The built-ins: modules that implement the hooks, imported when a manager is made.
DEFAULT_PLUGINS: tuple[str, ...] = ("tools.builtin.plugin", "agent.models.plugin", "sandbox.plugin")

Kind = Literal["model", "sandbox", "benchmark"]
HOOKS: dict[str, str] = {
    "model": "register_models",
    "sandbox": "register_sandboxes",
    "benchmark": "register_benchmarks",
}
# How each kind names its backends: a model backend by the prefix that selects it.
KEYS: dict[str, Callable[[Any], str]] = {
    "model": lambda backend: backend.prefix,
    "sandbox": lambda backend: backend.name,
    "benchmark": lambda backend: backend.name,
}
# Plugins patchloop knows of that are not part of it: kind -> name -> what to install.
KNOWN_PLUGINS: dict[str, dict[str, str]] = {
    "sandbox": {"modal": "pip install 'patchloop[modal]'"},
}

T = TypeVar("T")


class PluginError(PatchloopError):
    """A plugin could not be loaded or registered something twice (the message names it)."""


class UnknownBackendError(UserError):
    """No backend of that name is registered."""


def plugin_manager(
    *,
    defaults: bool = True,
    entry_points: bool | None = None,
    extra: Sequence[object] = (),
) -> pluggy.PluginManager:
    """A manager with the hookspecs, the built-ins (unless ``defaults=False``), the installed
    entry points (``entry_points=None``: as ``PATCHLOOP_LOAD_PLUGINS`` says) and ``extra``."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    if defaults:
        for name in DEFAULT_PLUGINS:
            manager.register(importlib.import_module(name), name=name)
    if entry_points is None or entry_points:
        for ep in selected_entry_points(None if entry_points else os.environ.get(LOAD_PLUGINS_ENV)):
            if manager.has_plugin(ep.name):
                continue
            try:
                manager.register(ep.load(), name=ep.name)
            except Exception as exc:  # noqa: BLE001 - a broken third-party package must not stop the run
                log.warning("plugin %s (%s) failed to load: %s: %s", ep.name, ep.value, type(exc).__name__, exc)
    for plugin in extra:
        manager.register(plugin)
    return manager


def load_setting(setting: str | None) -> set[str] | Literal[False] | None:
    """``PATCHLOOP_LOAD_PLUGINS`` read: False (off), None (every plugin) or the names to load."""
    value = (setting or "").strip()
    if value.lower() in _OFF:
        return False
    if value.lower() in _ON:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def selected_entry_points(setting: str | None) -> list[importlib.metadata.EntryPoint]:
    """The group's entry points that ``setting`` (the env variable's value) selects."""
    wanted = load_setting(setting)
    if wanted is False:
        return []
    found = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    return found if wanted is None else [ep for ep in found if ep.name in wanted]


class Backends(Generic[T]):
    """The registered backends of one kind, by name (first registration of a name wins;
    a second one is a PluginError naming both plugins)."""

    def __init__(self, kind: str, key: Callable[[T], str]) -> None:
        self.kind = kind
        self._key = key
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    def register(self, backend: T, *, owner: str = "") -> None:
        name = self._key(backend)
        if not isinstance(name, str) or not name:
            raise PluginError(f"{owner or 'a plugin'} registered a {self.kind} backend without a name: {backend!r}")
        if name in self._items:
            raise PluginError(
                f"{self.kind} backend {name!r} is registered twice (by {self._owners[name] or '?'} "
                f"and by {owner or '?'}); uninstall one of them"
            )
        self._items[name] = backend
        self._owners[name] = owner

    def get(self, name: str) -> T:
        if name in self._items:
            return self._items[name]
        known = ", ".join(sorted(self._items)) or "none"
        hint = KNOWN_PLUGINS.get(self.kind, {}).get(name)
        more = f"; {name!r} is a plugin: {hint}" if hint else ""
        raise UnknownBackendError(f"unknown {self.kind} backend {name!r} (registered: {known}){more}")

    def owner(self, name: str) -> str:
        return self._owners.get(name, "")

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


def backends(manager: pluggy.PluginManager, kind: Kind, key: Callable[[Any], str] | None = None) -> Backends[Any]:
    """Run the ``kind``'s hook of every plugin and collect what they register (named by
    ``key``, by default the kind's own rule in ``KEYS``)."""
    found: Backends[Any] = Backends(kind, key or KEYS[kind])
    hook = getattr(manager.hook, HOOKS[kind])
    for impl in reversed(hook.get_hookimpls()):  # registration order: built-ins first
        owner = impl.plugin_name

        def register(backend: Any, _owner: str = owner) -> None:
            found.register(backend, owner=_owner)

        try:
            impl.function(register=register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {owner}: {HOOKS[kind]} failed: {type(exc).__name__}: {exc}") from exc
    return found


def plugin_names(manager: pluggy.PluginManager) -> list[str]:
    return [name for name, _plugin in manager.list_name_plugin()]


def distributions(names: Iterable[str]) -> dict[str, str | None]:
    """Installed version of each entry-point plugin's distribution (None: unknown)."""
    versions: dict[str, str | None] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in names:
            versions[ep.name] = ep.dist.version if ep.dist else None
    return versions
