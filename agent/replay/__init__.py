"""Replay a recorded run with the real agent loop: offline, in a fresh sandbox, or forked.

- ``report``: what a replay found and its summary;
- ``compare``: event-for-event comparison with the recording;
- ``script``: the recording served back (model outcomes, tool results, stand-ins);
- ``sources``: the recording's config, task, plugins and a fresh sandbox like its own;
- ``modes``: ``replay_offline``, ``replay_execute``, ``replay_fork``;
- ``cli``: ``python -m trajectories replay``.
"""

from agent.replay.cli import replay_cli
from agent.replay.compare import compare_events, diverging_observations, request_divergences
from agent.replay.modes import replay_execute, replay_fork, replay_offline
from agent.replay.report import Difference, ObservationDivergence, ReplayReport
from agent.replay.script import ForkModel, RecordedModel, RecordedTools, ReplayError, model_script, tool_script
from agent.replay.sources import load_registry, run_config_of

MODES = ("offline", "execute", "fork")

__all__ = [
    "MODES",
    "Difference",
    "ForkModel",
    "ObservationDivergence",
    "RecordedModel",
    "RecordedTools",
    "ReplayError",
    "ReplayReport",
    "compare_events",
    "diverging_observations",
    "load_registry",
    "model_script",
    "replay_cli",
    "replay_execute",
    "replay_fork",
    "replay_offline",
    "request_divergences",
    "run_config_of",
    "tool_script",
]
