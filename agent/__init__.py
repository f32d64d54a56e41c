"""The patchloop agent: the loop, the model layer, configuration and `python -m agent run`.

Nothing is imported until asked for, so ``python -m agent --help`` stays fast::

    from agent import Agent, Task, load_config, make_model, prepare, run_agent
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Agent": "agent.loop",
    "AgentEvent": "agent.task",
    "RunResult": "agent.task",
    "Task": "agent.task",
    "AgentConfig": "agent.config",
    "ConfigError": "agent.config",
    "RunConfig": "agent.config",
    "load_config": "agent.config",
    "load_run_config": "agent.config",
    "make_model": "agent.models.factory",
    "Parts": "agent.build",
    "prepare": "agent.build",
    "run_agent": "agent.build",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
