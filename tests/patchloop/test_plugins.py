"""The plugin manager: built-ins through the hooks, backends by name, clear errors."""

from __future__ import annotations

import types
from typing import Any

import pytest

from patchloop import hookimpl
from patchloop.plugins import (
    DEFAULT_PLUGINS,
    PluginError,
    UnknownBackendError,
    backends,
    plugin_manager,
    selected_entry_points,
)


def _plugin(name: str, *backend_names: str) -> Any:
    @hookimpl
    def register_sandboxes(register: Any) -> None:
        for backend_name in backend_names:
            register(types.SimpleNamespace(name=backend_name))

    return types.SimpleNamespace(__name__=name, register_sandboxes=register_sandboxes)


def test_builtins_register_through_the_hooks() -> None:
    manager = plugin_manager(entry_points=False)
    for name in DEFAULT_PLUGINS:
        assert manager.has_plugin(name)
    tools: list[Any] = []
    manager.hook.register_tools(register=tools.append)
    assert {t.name for t in tools} >= {"bash", "str_replace_editor", "search", "submit"}


def test_without_default_plugins_nothing_is_registered() -> None:
    manager = plugin_manager(defaults=False, entry_points=False)
    tools: list[Any] = []
    manager.hook.register_tools(register=tools.append)
    assert tools == []
    for kind in ("model", "sandbox", "benchmark"):
        assert len(backends(manager, kind, lambda b: b.name)) == 0


def test_backends_by_name_in_registration_order() -> None:
    manager = plugin_manager(defaults=False, entry_points=False, extra=[_plugin("a", "one"), _plugin("b", "two")])
    found = backends(manager, "sandbox", lambda b: b.name)
    assert found.names() == ["one", "two"] and "one" in found and found.get("two").name == "two"


def test_unknown_backend_lists_registered_and_install_hint() -> None:
    manager = plugin_manager(defaults=False, entry_points=False, extra=[_plugin("a", "docker")])
    found = backends(manager, "sandbox", lambda b: b.name)
    with pytest.raises(UnknownBackendError, match=r"unknown sandbox backend 'nope' \(registered: docker\)$"):
        found.get("nope")
    with pytest.raises(UnknownBackendError, match=r"'modal' is a plugin: pip install"):
        found.get("modal")


def test_a_name_registered_twice_names_both_plugins() -> None:
    manager = plugin_manager(defaults=False, entry_points=False, extra=[_plugin("a", "x"), _plugin("b", "x")])
    with pytest.raises(PluginError, match="registered twice"):
        backends(manager, "sandbox", lambda b: b.name)


def test_a_failing_hook_names_its_plugin() -> None:
    @hookimpl
    def register_sandboxes(register: Any) -> None:
        raise RuntimeError("boom")

    bad = types.SimpleNamespace(register_sandboxes=register_sandboxes)
    manager = plugin_manager(defaults=False, entry_points=False, extra=[bad])
    with pytest.raises(PluginError, match="register_sandboxes failed: RuntimeError: boom"):
        backends(manager, "sandbox", lambda b: b.name)


def test_entry_point_selection_setting() -> None:
    assert selected_entry_points("0") == []
    assert selected_entry_points("no-such-plugin") == []
