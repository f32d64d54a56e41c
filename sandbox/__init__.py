"""Where commands run: the Sandbox protocol, a Docker backend and a local backend.

The names below are imported on first use (``from sandbox import DockerSandbox`` works as
usual), so ``python -m sandbox --help`` does not pay for pydantic, and ``docker`` (the
package) is imported only inside the functions that talk to the daemon.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.base import ExecResult as ExecResult
    from sandbox.base import Sandbox as Sandbox
    from sandbox.docker import DockerSandbox as DockerSandbox
    from sandbox.errors import (
        ContainerGoneError as ContainerGoneError,
    )
    from sandbox.errors import (
        DockerUnavailableError as DockerUnavailableError,
    )
    from sandbox.errors import (
        ImageNotFoundError as ImageNotFoundError,
    )
    from sandbox.errors import (
        PathEscapeError as PathEscapeError,
    )
    from sandbox.errors import (
        SandboxClosedError as SandboxClosedError,
    )
    from sandbox.errors import (
        SandboxError as SandboxError,
    )
    from sandbox.errors import (
        SandboxFileNotFoundError as SandboxFileNotFoundError,
    )
    from sandbox.errors import (
        SandboxGoneError as SandboxGoneError,
    )
    from sandbox.images import build_image as build_image
    from sandbox.images import ensure_image as ensure_image
    from sandbox.local import LocalSandbox as LocalSandbox

_WHERE = {
    "ContainerGoneError": "sandbox.errors",
    "DockerSandbox": "sandbox.docker",
    "DockerUnavailableError": "sandbox.errors",
    "ExecResult": "sandbox.base",
    "ImageNotFoundError": "sandbox.errors",
    "LocalSandbox": "sandbox.local",
    "PathEscapeError": "sandbox.errors",
    "Sandbox": "sandbox.base",
    "SandboxClosedError": "sandbox.errors",
    "SandboxError": "sandbox.errors",
    "SandboxFileNotFoundError": "sandbox.errors",
    "SandboxGoneError": "sandbox.errors",
    "build_image": "sandbox.images",
    "ensure_image": "sandbox.images",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


def __dir__() -> list[str]:
    return __all__
