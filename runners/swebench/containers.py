"""The runner's Docker seams: opening sandboxes, checking the engine, reaping a run's containers."""

from __future__ import annotations

from typing import Any

from runners.swebench.errors import DockerDownError, ImagesUnavailableError
from runners.swebench.images import INIT_SCRIPT

RUN_LABEL = "patchloop.run_id"


def check_docker() -> None:
    """One clear line when no engine answers (raised before anything is written)."""
    from sandbox.engine import connect
    from sandbox.errors import DockerUnavailableError

    try:
        connect(timeout=15).close()
    except DockerUnavailableError as exc:
        raise DockerDownError(str(exc)) from None


def check_images(images: list[str]) -> None:
    """Fail in one line, before anything is written, when NO image of the run can be had.

    An image present locally is enough to start: an instance whose own image is missing
    (and cannot be pulled) then ends as an ``error`` naming its image, like the harness.
    When none is present, one pull is tried; if it fails (no registry, a private or
    misspelt name) every instance would only fail the same way, slowly.
    """
    from docker.errors import APIError, ImageNotFound

    from sandbox.engine import connect

    wanted = list(dict.fromkeys(images))
    if not wanted:
        return
    client = connect(timeout=30)
    try:
        for image in wanted:
            try:
                client.images.get(image)
                return
            except (ImageNotFound, APIError):  # absent, or a name the engine will not look up
                continue
        try:
            client.images.pull(wanted[0])
        except APIError as exc:
            more = f" (and {len(wanted) - 1} other image(s))" if len(wanted) > 1 else ""
            raise ImagesUnavailableError(
                f"no instance image is available: {wanted[0]}{more} is not present locally and cannot be pulled "
                f"({exc.explanation or exc}); pull the images where a registry is reachable, or point "
                "--image-template at images you have"
            ) from None
    finally:
        client.close()


def open_docker_sandbox(
    image: str, run_id: str, labels: dict[str, str], agent: bool, *, eval_network: bool = True
) -> Any:
    """A started ``DockerSandbox``; the agent's shell starts with the instance's env active.

    The agent's container never has a network. The evaluation container has Docker's
    default bridge network unless ``eval_network`` is False, like the official harness:
    some eval scripts reinstall the package (requests: ``pip install .``), which under
    build isolation most likely fetches the build backend from PyPI (inferred, not
    measured); failing that, the tests would run the unpatched installed copy.
    """
    from sandbox.docker import DockerSandbox

    return DockerSandbox(
        image,
        workdir="/testbed",
        run_id=run_id,
        labels={"patchloop.managed": "1", RUN_LABEL: run_id, **labels},
        init_script=INIT_SCRIPT if agent else None,
        mode="session" if agent else "exec",
        network=(not agent) and eval_network,
    )


def reap(run_id: str) -> list[str]:
    """Force-remove every container labelled with this run id; return their names."""
    from docker.errors import APIError, NotFound

    from sandbox.engine import connect

    client = connect(timeout=30)
    removed = []
    try:
        # sparse: no inspect per container, so one removed meanwhile (a sandbox closing) is no error
        for container in client.containers.list(all=True, sparse=True, filters={"label": f"{RUN_LABEL}={run_id}"}):
            try:
                container.remove(force=True)
                removed.append(_name(container))
            except NotFound:
                continue
            except APIError as exc:
                if exc.status_code != 409:  # 409: removal already in progress
                    raise
    finally:
        client.close()
    return removed


def _name(container: Any) -> str:
    names = container.attrs.get("Names") or [container.id]
    return str(names[0]).lstrip("/")


def count_containers(run_id: str) -> int:
    from sandbox.engine import connect

    client = connect(timeout=30)
    try:
        return len(client.containers.list(all=True, sparse=True, filters={"label": f"{RUN_LABEL}={run_id}"}))
    finally:
        client.close()
