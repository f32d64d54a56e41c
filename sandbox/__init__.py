"""Where commands run: the Sandbox protocol, a Docker backend and a local backend.

``docker`` (the package) is imported only inside the functions that talk to the daemon, so
importing ``sandbox`` is cheap.
"""

from sandbox.base import ExecResult, Sandbox
from sandbox.docker import DockerSandbox
from sandbox.errors import (
    ContainerGoneError,
    DockerUnavailableError,
    ImageNotFoundError,
    PathEscapeError,
    SandboxClosedError,
    SandboxError,
    SandboxFileNotFoundError,
)
from sandbox.images import build_image, ensure_image
from sandbox.local import LocalSandbox

__all__ = [
    "ContainerGoneError",
    "DockerSandbox",
    "DockerUnavailableError",
    "ExecResult",
    "ImageNotFoundError",
    "LocalSandbox",
    "PathEscapeError",
    "Sandbox",
    "SandboxClosedError",
    "SandboxError",
    "SandboxFileNotFoundError",
    "build_image",
    "ensure_image",
]
