"""The local backend: commands on this machine, confined by bubblewrap when it is installed."""

from __future__ import annotations

from sandbox.local.confine import PASSED_HOST_ENV, ConfinementError, UnconfinedRefusedError
from sandbox.local.sandbox import LocalSandbox

__all__ = ["PASSED_HOST_ENV", "ConfinementError", "LocalSandbox", "UnconfinedRefusedError"]
