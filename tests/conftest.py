"""Fixtures shared by every test package.

Docker tests run on the real engine. They skip, with the reason shown by ``-ra``, only
where no engine answers or the test base image is missing; ``.ci/run`` starts the engine
and builds the image, so in CI they always run.
"""

from __future__ import annotations

import os
import uuid

import pytest

BASE_IMAGE = os.environ.get("PATCHLOOP_BASE_IMAGE", "patchloop-base:bookworm")


def _docker_problem() -> str | None:
    """Return why Docker tests cannot run here, or None when they can."""
    try:
        import docker
        from docker.errors import DockerException, ImageNotFound
    except ImportError as exc:  # the package is a hard dependency; say so plainly
        return f"docker package not importable: {exc}"
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except DockerException as exc:
        return f"no Docker engine answers ({exc.__class__.__name__}); run scripts/setup.sh"
    try:
        client.images.get(BASE_IMAGE)
    except ImageNotFound:
        return f"test base image {BASE_IMAGE} missing; run scripts/build-base-image.sh"
    finally:
        client.close()
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the engine is in the Docker lane, marked or not."""
    for item in items:
        if "docker_ready" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def docker_ready() -> str:
    """Skip (visibly) unless a Docker engine and the base image are available."""
    problem = _docker_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"Docker tests must run in CI: {problem}")
        pytest.skip(problem)
    return BASE_IMAGE


@pytest.fixture
def base_image(docker_ready: str) -> str:
    return docker_ready


@pytest.fixture
def run_id() -> str:
    """A unique run id, so tests clean up only the containers they made."""
    return f"test-{uuid.uuid4().hex[:12]}"
