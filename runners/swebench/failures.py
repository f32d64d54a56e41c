"""What an exception from any layer means for an instance's report: by type and ``kind``.

- an ``InfraError`` (``SandboxGoneError``, a model that cannot be reached, ...) is
  ``status: error`` with ``error_class`` = its ``kind``; when the agent had not ended,
  ``exit_status`` says which side failed (``sandbox_error``, ``model_error``, ...);
- a full disk (``ENOSPC``/``EDQUOT`` anywhere in the chain) is ``error_class: disk_full``:
  the run stops and the instance is redone by the next run (``status: interrupted``);
- a cancelled attempt (``patchloop.cancel.Cancelled``) is ``interrupted``;
- another typed patchloop error is ``error_class: other``;
- anything else is a bug of the runner: ``exit_status: runner_error``, ``error_class: bug``.
"""

from __future__ import annotations

import errno
from typing import Any

from patchloop.cancel import Cancelled
from patchloop.errors import InfraError, PatchloopError

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
EXIT_BY_KIND = {
    "sandbox_lost": "sandbox_error",
    "engine_down": "sandbox_error",
    "model_unreachable": "model_error",
    "model_quota": "model_error",
    "model_auth": "model_error",
    "interrupted": "interrupted",
}


def _chain(exc: BaseException):
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 50:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def disk_full(exc: BaseException) -> OSError | None:
    """The ``OSError`` saying the disk is full, wherever it is in ``exc``'s chain."""
    for item in _chain(exc):
        if isinstance(item, OSError) and item.errno in DISK_FULL:
            return item
    return None


def disk_full_message(exc: OSError) -> str:
    where = f" (writing {exc.filename})" if exc.filename else ""
    return f"no space left on the device{where}"


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return first if len(first) <= 500 else first[:497] + "..."


def failure_fields(exc: BaseException) -> dict[str, Any]:
    """The report fields for an attempt that raised ``exc`` (``exit_status`` as a default)."""
    full = disk_full(exc)
    if full is not None:
        return {"status": "interrupted", "error_class": "disk_full", "error": disk_full_message(full)}
    if isinstance(exc, Cancelled):  # the pool cut it and says why (timeout, interrupt, full disk)
        return {"status": "interrupted"}
    name = type(exc).__name__
    if isinstance(exc, InfraError):
        return {
            "status": "error",
            "error_class": exc.kind,
            "error": f"{name}: {_line(exc)}",
            "exit_status": EXIT_BY_KIND.get(exc.kind, "infra_error"),
        }
    kind, exit_status = ("other", "infra_error") if isinstance(exc, PatchloopError) else ("bug", "runner_error")
    return {"status": "error", "error_class": kind, "error": f"{name}: {_line(exc)}", "exit_status": exit_status}
