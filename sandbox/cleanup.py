"""Removing containers this project labelled and left behind (a killed driver, a crash)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.docker.container import MANAGED_LABEL, RUN_ID_LABEL
from sandbox.engine import api_call, connect

if TYPE_CHECKING:
    import docker


def leftover_containers(run_id: str | None = None, *, client: docker.DockerClient | None = None) -> list[str]:
    """Ids of containers labelled ``patchloop.managed=1`` (and ``patchloop.run_id=run_id``)."""
    client = client or connect()
    labels = [f"{MANAGED_LABEL}=1"]
    if run_id is not None:
        labels.append(f"{RUN_ID_LABEL}={run_id}")
    found = api_call(client.api.containers, all=True, quiet=True, filters={"label": labels})
    return [entry["Id"] for entry in found]


def cleanup(run_id: str | None = None, *, client: docker.DockerClient | None = None) -> int:
    """Force-remove labelled containers; returns how many were removed."""
    from sandbox.docker.container import remove_container

    client = client or connect()
    removed = 0
    for container_id in leftover_containers(run_id, client=client):
        remove_container(client, container_id)  # gone meanwhile, or being removed: fine
        removed += 1
    return removed
