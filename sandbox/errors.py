"""Typed sandbox errors. Every message says what went wrong and what to do about it."""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of every error the sandbox layer raises on purpose."""


class DockerUnavailableError(SandboxError):
    """No Docker daemon answers at the configured address."""


class ImageNotFoundError(SandboxError):
    """The image is not present locally and could not be pulled."""

    def __init__(self, image: str, reason: str) -> None:
        self.image = image
        super().__init__(
            f"Docker image {image!r} is not available locally and could not be pulled "
            f"({reason}). Build it (e.g. scripts/build-base-image.sh for the test base "
            f"image), `docker pull {image}` where a registry is reachable, or pass another image."
        )


class SandboxClosedError(SandboxError):
    """The sandbox was used after close()."""


class ContainerGoneError(SandboxError):
    """The container stopped or was removed while the sandbox was in use."""


class PathEscapeError(SandboxError):
    """A LocalSandbox path resolves outside the sandbox root."""


class SandboxFileNotFoundError(SandboxError, FileNotFoundError):
    """read_file was asked for a path that does not exist (or is a folder)."""
