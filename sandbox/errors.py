"""Typed sandbox errors. Every message says what went wrong and what to do about it."""

from __future__ import annotations

from patchloop.errors import InfraError, PatchloopError


class SandboxError(PatchloopError):
    """Base class of every error the sandbox layer raises on purpose."""


class SandboxGoneError(SandboxError, InfraError):
    """The sandbox cannot be used any more: the run in it cannot go on.

    The loop ends a run on this family by type (a backend's own subclass included).
    """

    kind = "sandbox_lost"


class DockerUnavailableError(SandboxGoneError):
    """No Docker daemon answers at the configured address."""

    kind = "engine_down"


class ImageNotFoundError(SandboxError):
    """The image is not present locally and could not be pulled."""

    def __init__(self, image: str, reason: str) -> None:
        self.image = image
        super().__init__(
            f"Docker image {image!r} is not available locally and could not be pulled "
            f"({reason}). Build it (e.g. scripts/build-base-image.sh for the test base "
            f"image), `docker pull {image}` where a registry is reachable, or pass another image."
        )


class SandboxClosedError(SandboxGoneError):
    """The sandbox was used after close()."""


class ContainerGoneError(SandboxGoneError):
    """The container stopped or was removed while the sandbox was in use."""


class SandboxRootGoneError(SandboxGoneError):
    """The local sandbox's root folder was removed while in use."""


class PathEscapeError(SandboxError):
    """A LocalSandbox path resolves outside the sandbox root."""


class SandboxFileNotFoundError(SandboxError, FileNotFoundError):
    """read_file was asked for a path that does not exist (or is a folder)."""
