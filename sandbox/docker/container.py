"""The container's lifecycle: create (pulling when needed), state, removal until gone.

Every call goes through ``engine.api_call`` (a lost daemon is DockerUnavailableError) and
is bounded by the client's timeout; the waits here are bounded by their own deadlines.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from sandbox.engine import api_call
from sandbox.errors import ImageNotFoundError, SandboxError, SandboxGoneError
from sandbox.images import ensure_image

if TYPE_CHECKING:
    import docker

log = logging.getLogger("sandbox.docker")

MANAGED_LABEL = "patchloop.managed"
RUN_ID_LABEL = "patchloop.run_id"
REMOVAL_WAIT_S = 10.0  # how long close() waits for a removal someone else started


def create_container(
    client: docker.DockerClient,
    image: str,
    *,
    workdir: str,
    env: dict[str, str],
    network: bool,
    memory: str | None,
    cpus: float | None,
    pids: int | None,
    labels: dict[str, str],
    pull_attempts: int,
) -> str:
    """Create (not start) a locked-down container; its id. Pulls a missing image."""
    from docker.errors import APIError, DockerException, ImageNotFound

    try:
        host_config = client.api.create_host_config(
            init=True,
            network_mode=None if network else "none",
            mem_limit=memory,
            memswap_limit=memory,  # no swap: a memory hog is killed, not slowed to a crawl
            nano_cpus=int(cpus * 1e9) if cpus else None,
            pids_limit=pids,
        )
    except (DockerException, TypeError, ValueError) as exc:
        raise SandboxError(
            f"invalid container limits (memory={memory!r}, cpus={cpus!r}, pids={pids!r}): "
            f"{exc}. Pass memory like '4g' or '512m', cpus as a number, pids as an integer."
        ) from None

    def create() -> str:
        created = api_call(
            client.api.create_container,
            image,
            entrypoint=["sleep"],
            command=["infinity"],
            working_dir=workdir,
            environment=env,
            labels=labels,
            host_config=host_config,
            detach=True,
        )
        return created["Id"]

    try:
        try:
            return create()  # the common case: the image is there; no separate inspect
        except ImageNotFound:
            ensure_image(image, client=client, pull_attempts=pull_attempts)
            return create()
    except APIError as exc:
        if isinstance(exc, ImageNotFound):  # pulled, yet still missing at create
            raise ImageNotFoundError(image, str(exc.explanation or exc)) from None
        raise SandboxError(
            f"Docker refused to create a container from {image!r}: "
            f"{exc.explanation or exc}. Check the limits (memory={memory!r}, cpus={cpus!r}, "
            f"pids={pids!r}) and the other arguments."
        ) from None


def is_running(client: docker.DockerClient, container_id: str, settle_s: float = 0.0) -> bool:
    """Is the container running? With ``settle_s``, keep asking that long while it says
    yes: a container being killed can still report "running" for a moment."""
    from docker.errors import NotFound

    deadline = time.monotonic() + settle_s
    while True:
        try:
            state = api_call(client.api.inspect_container, container_id)["State"]
        except NotFound:
            return False
        if not state.get("Running") or state.get("Restarting"):
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.05)


def exists(client: docker.DockerClient, container_id: str) -> bool:
    """Does the engine still know the container (running or not)?"""
    from docker.errors import NotFound

    try:
        api_call(client.api.inspect_container, container_id)
    except NotFound:
        return False
    return True


def removal_in_progress(exc: Exception) -> bool:
    """Docker's 409 "removal of container ... is already in progress" (or "marked for removal")."""
    from docker.errors import APIError

    if not isinstance(exc, APIError) or exc.status_code != 409:
        return False
    text = str(exc.explanation or exc).lower()
    return "removal" in text or "marked for removal" in text


def remove_container(client: docker.DockerClient, container_id: str, wait_s: float = REMOVAL_WAIT_S) -> None:
    """Force-remove; return once it is gone. A removal someone else started (409) is waited
    for (at most ``wait_s``), never reported as an error: the container is going away."""
    from docker.errors import APIError, NotFound

    try:
        api_call(client.api.remove_container, container_id, force=True)
        return
    except NotFound:
        return
    except APIError as exc:
        if not removal_in_progress(exc):
            raise
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            api_call(client.api.inspect_container, container_id)
        except NotFound:
            return
        time.sleep(0.1)
    log.warning("container %s is still being removed by the engine after %.0f s", container_id[:12], wait_s)


def close_quietly(client: docker.DockerClient, container_id: str) -> None:
    """remove_container for close() and the exit hooks: an engine that is gone cannot be
    asked; say so in the log (``python -m sandbox cleanup`` removes what is left) and go on."""
    try:
        remove_container(client, container_id)
    except SandboxGoneError as exc:
        log.warning("could not remove container %s: %s", container_id[:12], exc)
