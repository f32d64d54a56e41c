"""The one error root, with a branch for the user's mistakes and one for infrastructure.

- :class:`UserError`: bad input (a flag, a config key, a dataset row, a file). The CLI
  prints its message as one line and exits 2. The message says what was wrong and what
  to do.
- :class:`InfraError`: the machinery failed (the model unreachable, its quota spent, the
  sandbox lost, the engine down, the disk full, an evaluation that could not run). It
  carries a ``kind`` from :data:`INFRA_KINDS`, the class the runner reports and that
  ``--retry-errors`` retries.
- Anything else raised is a bug and keeps its traceback.

The agent's own outcomes (``step_limit``, ``cost_limit``, ``time_limit``,
``format_errors``...) are not errors at all: they are exit statuses of a run.
"""

from __future__ import annotations

from typing import Literal

InfraKind = Literal[
    "model_unreachable",  # connection refused, DNS, timeouts, 5xx after the retries
    "model_quota",  # the provider's quota, credit or rate limit that retries did not outlast
    "model_auth",  # the key was refused
    "sandbox_lost",  # the container (or process, or remote sandbox) went away
    "engine_down",  # the sandbox engine stopped answering
    "disk_full",  # no space left where the run writes
    "eval_not_run",  # the evaluation could not run (its sandbox, its script, its markers)
    "interrupted",  # a signal stopped it; resumable
    "other",
]
INFRA_KINDS: tuple[str, ...] = InfraKind.__args__  # type: ignore[attr-defined]


class PatchloopError(Exception):
    """Root of every error patchloop raises on purpose."""


class UserError(PatchloopError):
    """Bad input; the message is one line saying what was wrong and what to do (exit 2)."""


class InfraError(PatchloopError):
    """The infrastructure failed; ``kind`` says which part (one of INFRA_KINDS)."""

    kind: InfraKind = "other"

    def __init__(self, message: str, *, kind: InfraKind | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
