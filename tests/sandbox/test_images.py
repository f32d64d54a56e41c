"""build_image: a derived image from Dockerfile text or a context folder, built once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import DockerSandbox, SandboxError, build_image
from sandbox.engine import connect

pytestmark = pytest.mark.docker


@pytest.fixture
def tag(docker_ready: str) -> Iterator[str]:
    """A unique tag; afterwards the images this test built under it are removed."""
    yield f"patchloop-test-derived:{uuid.uuid4().hex[:10]}"


@pytest.fixture
def built() -> Iterator[list[str]]:
    """Ids of images a test built; removed afterwards (only those: other runs share the engine)."""
    from docker.errors import APIError

    ids: list[str] = []
    yield ids
    client = connect()
    for image_id in reversed(ids):
        try:
            client.images.remove(image_id, force=True)
        except APIError:  # already gone, or a child of a later build in this test
            continue
    client.close()


def test_build_from_dockerfile_text_is_idempotent(docker_ready: str, tag: str, run_id: str, built: list[str]) -> None:
    dockerfile = f"FROM {docker_ready}\nRUN echo built-{tag} > /marker\n"
    first = build_image(tag, dockerfile=dockerfile)
    built.append(first)
    started = time.monotonic()
    second = build_image(tag, dockerfile=dockerfile)
    assert second == first
    assert time.monotonic() - started < 1.0  # reused, not rebuilt
    changed = build_image(tag, dockerfile=dockerfile + "RUN echo more >> /marker\n")
    built.append(changed)
    assert changed != first
    with DockerSandbox(tag, run_id=run_id) as sbx:
        assert sbx.execute("cat /marker").output == f"built-{tag}\nmore\n"


def test_build_from_context_folder(docker_ready: str, tag: str, run_id: str, tmp_path: Path, built: list[str]) -> None:
    (tmp_path / "payload.txt").write_text(f"from the context of {tag}\n")
    (tmp_path / "Dockerfile").write_text(f"FROM {docker_ready}\nCOPY payload.txt /payload.txt\n")
    first = build_image(tag, context=tmp_path)
    built.append(first)
    assert build_image(tag, context=tmp_path) == first
    (tmp_path / "payload.txt").write_text(f"changed {tag}\n")
    changed = build_image(tag, context=tmp_path)
    built.append(changed)
    assert changed != first
    with DockerSandbox(tag, run_id=run_id) as sbx:
        assert sbx.read_file("/payload.txt") == f"changed {tag}\n".encode()


def test_build_errors_are_clear(docker_ready: str, tag: str, tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="failed"):
        build_image(tag, dockerfile=f"FROM {docker_ready}\nRUN exit 3\n")
    with pytest.raises(SandboxError, match="has no Dockerfile"):
        build_image(tag, context=tmp_path)
    with pytest.raises(ValueError, match="exactly one"):
        build_image(tag)
    with pytest.raises(SandboxError, match="cannot build image 'Bad Tag'.*lowercase"):
        build_image("Bad Tag", dockerfile=f"FROM {docker_ready}\n")  # was docker-py's APIError
