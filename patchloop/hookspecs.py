"""The hooks a patchloop plugin implements, one per kind of extension.

Each hook receives a ``register`` callable; a plugin calls it once per thing it adds.
The built-ins register through these same hooks (see ``DEFAULT_PLUGINS`` in
:mod:`patchloop.plugins`), so the hooks run on every run.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "patchloop"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_tools(register: Any) -> None:
    """Register tools: ``register(fn_or_tool, name=None, override=False)`` per tool.

    ``fn_or_tool`` is an ``@tool`` function, a plain typed function, a ``Tool`` subclass
    (instantiated once per registry) or a ``Tool`` instance.
    """


@hookspec
def register_models(register: Any) -> None:
    """Register model backends: ``register(backend)`` per backend.

    A backend has a ``prefix`` (``--model PREFIX:REST`` selects it) and makes a model
    from the rest of the spec and the run's model config.
    """


@hookspec
def register_sandboxes(register: Any) -> None:
    """Register sandbox backends: ``register(backend)`` per backend.

    A backend has a ``name`` (``--sandbox NAME``), a strict pydantic ``Config`` whose
    ``backend`` field is ``Literal[name]``, and owns its lifecycle (availability,
    images, opening sandboxes, cleanup by run id, a self-description).
    """


@hookspec
def register_benchmarks(register: Any) -> None:
    """Register benchmarks: ``register(benchmark)`` per benchmark.

    A benchmark has a ``name``, loads its instances, says how each one's sandbox is made
    and grades what the agent left behind.
    """
