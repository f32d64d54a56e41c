"""The built-in tools, registered through the same ``register_tools`` hook as any plugin."""

from __future__ import annotations

from typing import Any

from patchloop import hookimpl


@hookimpl
def register_tools(register: Any) -> None:
    from tools.builtin import builtin_tools

    for item in builtin_tools():
        register(item)
