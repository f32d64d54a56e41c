"""How the local backend confines what it runs: bubblewrap, or a refusal, or a loud fallback.

With Debian's ``bubblewrap`` (``bwrap``) every shell runs in new user, pid, mount, network,
IPC and UTS namespaces: the root bind-mounted read-write, the rest of the file system
read-only, fresh ``/proc`` (only the sandbox's processes), ``/dev``, ``/tmp``, ``/dev/shm``
and ``/run`` (the host's sockets there, Docker's included, are out of reach), no network
but loopback, and only the allow-listed environment. Nothing of the driver's process is
visible: not its environment, its command line, its open files.

Without bwrap the commands would run as the driver's user beside the driver, able to read
``/proc/<driver>/environ``: so the backend refuses while the driver's environment holds
secret-looking variables (``patchloop.secrets.is_secret_name``), unless the user opts in
with ``sandbox.unsafe_unconfined``; either way of running unconfined logs one warning.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass

from patchloop.errors import UserError
from patchloop.secrets import is_secret_name
from sandbox.errors import SandboxError

log = logging.getLogger("sandbox.local")

# Only these host variables reach commands (plus the sandbox's own env).
PASSED_HOST_ENV = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ")
UNSAFE_KEY = "sandbox.unsafe_unconfined"
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`)"


class UnconfinedRefusedError(SandboxError, UserError):
    """bwrap is missing and the driver's environment holds secrets the commands could read."""


class ConfinementError(SandboxError):
    """bwrap is there but could not start a confined shell."""


def driver_secrets(environ: Mapping[str, str]) -> list[str]:
    """Names of secret-looking variables (with a value) in the driver's environment."""
    return sorted(name for name, value in environ.items() if value and is_secret_name(name))


@dataclass(frozen=True)
class Confinement:
    bwrap: str | None  # the bwrap binary, or None: unconfined
    network: bool = False  # keep the host's network namespace

    @property
    def confined(self) -> bool:
        return self.bwrap is not None

    def argv(self, shell: list[str], root: str, writable: list[str], cwd: str, search_path: str = "") -> list[str]:
        """The command line that starts ``shell`` (confined when bwrap is used).

        Folders of ``search_path`` (the sandbox's PATH) that would be hidden under the fresh
        ``/tmp``, ``/run`` or ``/dev/shm`` are bound in read-only, so what the PATH names is there.
        """
        if self.bwrap is None:
            return shell
        binds: list[str] = []
        for path in dict.fromkeys(entry for entry in search_path.split(":") if _hidden(entry)):
            binds += ["--ro-bind", path, path]
        for path in dict.fromkeys([root, *writable]):
            binds += ["--bind", path, path]
        return [
            self.bwrap,
            "--die-with-parent",
            "--unshare-user",
            "--unshare-pid",
            *([] if self.network else ["--unshare-net"]),
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--tmpfs", "/dev/shm",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--tmpfs", "/run",
            *binds,
            "--chdir", cwd,
            "--",
            *shell,
        ]  # fmt: skip


_FRESH = ("/tmp", "/run", "/dev/shm")


def _hidden(path: str) -> bool:
    """Is ``path`` an existing folder under one of the mounts a confined shell gets fresh?"""
    return (
        os.path.isabs(path)
        and os.path.isdir(path)
        and any(os.path.realpath(path) == top or os.path.realpath(path).startswith(top + "/") for top in _FRESH)
    )


def choose(
    bwrap: str | None, unsafe_unconfined: bool, environ: Mapping[str, str], *, network: bool = False
) -> Confinement:
    """Decide how to run. ``bwrap="auto"`` finds it on PATH; None means it is not there.

    ``unsafe_unconfined=True`` runs unconfined even where bwrap exists (for machines whose
    kernel refuses unprivileged namespaces), after one warning.
    """
    found = shutil.which("bwrap") if bwrap == "auto" else bwrap
    if unsafe_unconfined:
        log.warning(
            "%s is set: commands run unconfined, as your user, and can read your files and your "
            "processes (the driver's environment included)",
            UNSAFE_KEY,
        )
        return Confinement(None)
    if found:
        return Confinement(found, network)
    secrets = driver_secrets(environ)
    if secrets:
        listed = ", ".join(secrets[:5]) + (f" and {len(secrets) - 5} more" if len(secrets) > 5 else "")
        raise UnconfinedRefusedError(
            f"the local sandbox cannot confine commands (bwrap not found) and the driver's environment "
            f"holds {listed}, which any command could read from /proc; {INSTALL_HINT}, unset "
            f"{'it' if len(secrets) == 1 else 'them'}, or accept the risk with -c {UNSAFE_KEY}=true"
        )
    log.warning(
        "bwrap not found: local commands run unconfined, as your user (they can read your files and "
        "processes); %s to confine them",
        INSTALL_HINT,
    )
    return Confinement(None)


def shell_env(extra: Mapping[str, str], confined: bool) -> dict[str, str]:
    """The environment a local shell starts with: the allow-list, then the sandbox's env."""
    env = {name: os.environ[name] for name in PASSED_HOST_ENV if name in os.environ}
    if confined:
        env.pop("TMPDIR", None)  # the host's TMPDIR is not there: /tmp is the sandbox's own
    env.update(extra)
    return env
