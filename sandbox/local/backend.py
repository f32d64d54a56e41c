"""LocalBackend: this machine as a sandbox backend (commands confined by bubblewrap)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from sandbox.backend import BackendConfig, SandboxSpec
from sandbox.errors import SandboxError
from sandbox.local import procs
from sandbox.local.confine import UNSAFE_KEY, choose
from sandbox.local.sandbox import LocalSandbox, run_marker

VERSION_TIMEOUT_S = 5.0


class LocalConfig(BackendConfig):
    backend: Literal["local"] = "local"
    root: str | None = Field(default=None, description="the folder commands run in when the caller names none")
    in_place: bool = Field(default=False, description="work in the repository itself, not in a scratch copy")
    env: dict[str, str] = Field(default_factory=dict, description="variables set in the sandbox (never secrets)")
    unsafe_unconfined: bool = Field(
        default=False,
        description="run commands without bubblewrap, where they can read the driver's environment",
    )


class LocalBackend:
    """Commands in a folder of this machine; images do not apply (``prepare`` has nothing to do)."""

    name: ClassVar[str] = "local"
    Config: ClassVar[type[BackendConfig]] = LocalConfig

    def __init__(self, config: LocalConfig | None = None) -> None:
        self.config: LocalConfig = config or LocalConfig()

    def check(self) -> str:
        confinement = choose("auto", self.config.unsafe_unconfined, os.environ)
        if confinement.bwrap is None:
            return f"local, unconfined ({'bwrap not found' if not self.config.unsafe_unconfined else UNSAFE_KEY})"
        return f"local, confined by bubblewrap {_bwrap_version(confinement.bwrap)} ({confinement.bwrap})"

    def prepare(self, images: Sequence[str]) -> dict[str, str]:
        return {}

    def open(self, spec: SandboxSpec) -> LocalSandbox:
        root = spec.workdir or self.config.root
        if root is None:
            raise SandboxError("the local backend needs a folder to run in: pass workdir, or set sandbox.root")
        return LocalSandbox(
            root,
            env={**self.config.env, **spec.env},
            unsafe_unconfined=self.config.unsafe_unconfined,
            network=spec.network,
            run_id=spec.run_id,
            init_script=spec.init_script,
        )

    def cleanup(self, run_id: str | None) -> list[str]:
        """Kill what local sandboxes left running: every process carrying a marker of
        ``run_id``; with None, those whose driver process is gone (the sandboxes of runs still
        going are left alone). Confined ones die with their driver anyway."""
        if run_id is not None:
            pids = procs.matching(0, run_marker(run_id) + "*")
            procs.kill_matching(0, run_marker(run_id) + "*")
        else:
            pids = procs.orphans()
            procs.kill_pids(pids)
        return [f"process {pid}" for pid in pids]

    def describe(self) -> dict[str, Any]:
        bwrap = None if self.config.unsafe_unconfined else shutil.which("bwrap")
        return {
            "backend": self.name,
            "confined": bwrap is not None,
            "bwrap": bwrap,
            "bwrap_version": _bwrap_version(bwrap) if bwrap else None,
            "in_place": self.config.in_place,
            "limits": {"network": False},
        }


def _bwrap_version(bwrap: str) -> str:
    try:
        done = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=VERSION_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.strip().removeprefix("bubblewrap ") or "?"
