"""Connecting to the Docker daemon, and turning "it is not there" into one typed error."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sandbox.errors import DockerUnavailableError

if TYPE_CHECKING:
    import docker

HOW_TO_START = (
    "Start Docker and try again: `sudo systemctl start docker` (Linux with systemd), "
    "`sudo dockerd &` (Linux without systemd), or open Docker Desktop (macOS/Windows). "
    "If Docker runs elsewhere, set DOCKER_HOST to its address; if the socket is "
    "permission-denied, add your user to the `docker` group."
)


def docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def unavailable(reason: object) -> DockerUnavailableError:
    text = str(reason).strip() or type(reason).__name__
    if len(text) > 300:
        text = text[:300] + "..."
    return DockerUnavailableError(f"Cannot reach the Docker daemon at {docker_host()} ({text}). {HOW_TO_START}")


def connect(timeout: float = 60) -> docker.DockerClient:
    """A client for the daemon in the environment, API version negotiated (never pinned)."""
    import docker
    from docker.errors import DockerException

    try:
        # version=None makes docker-py ask the daemon (GET /version): that negotiates the
        # API version and proves the daemon answers, in one request.
        client = docker.from_env(timeout=timeout)
    except DockerException as exc:
        raise unavailable(exc) from None
    except OSError as exc:  # requests' connection errors are OSErrors
        raise unavailable(exc) from None
    return client


def is_connection_error(exc: BaseException) -> bool:
    """True when an exception from docker-py means the daemon stopped answering: the
    connection broke or was refused, or no answer came within the client's timeout (a
    wedged engine)."""
    import requests

    lost = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError, TimeoutError)
    return isinstance(exc, lost) and not isinstance(exc, requests.exceptions.HTTPError)


def api_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a docker-py function, mapping a lost daemon to DockerUnavailableError."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        if is_connection_error(exc):
            raise unavailable(exc) from None
        raise
