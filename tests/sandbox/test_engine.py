"""A daemon that is down and an image that cannot be had: one typed error each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import DockerSandbox, DockerUnavailableError, ImageNotFoundError
from sandbox.cleanup import leftover_containers
from sandbox.images import ensure_image

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def dead_daemon(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    host = f"unix://{tmp_path}/no-docker-here.sock"
    monkeypatch.setenv("DOCKER_HOST", host)
    return host


def test_daemon_down_is_one_typed_error_saying_how_to_start_docker(dead_daemon: str) -> None:
    with pytest.raises(DockerUnavailableError) as caught:
        DockerSandbox("patchloop-base:bookworm")
    message = str(caught.value)
    assert dead_daemon in message
    assert "Start Docker" in message and "systemctl start docker" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_daemon_down_cli_prints_the_message_not_a_traceback(dead_daemon: str) -> None:
    env = {**os.environ, "DOCKER_HOST": dead_daemon}
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "cleanup"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: Cannot reach the Docker daemon")
    assert "Traceback" not in done.stderr


@pytest.mark.docker
def test_missing_image_names_it_fast(docker_ready: str, run_id: str) -> None:
    image = "patchloop-test-missing-image:never"
    started = time.monotonic()
    with pytest.raises(ImageNotFoundError) as caught:
        DockerSandbox(image, run_id=run_id, pull_attempts=1)
    assert time.monotonic() - started < 10
    assert caught.value.image == image
    assert repr(image) in str(caught.value)
    assert "1 pull attempt(s) failed" in str(caught.value)
    assert leftover_containers(run_id) == []


@pytest.mark.docker
def test_pull_is_retried(docker_ready: str) -> None:
    started = time.monotonic()
    with pytest.raises(ImageNotFoundError, match=r"3 pull attempt\(s\) failed"):
        ensure_image("patchloop-test-missing-image:never", pull_attempts=3, pull_wait_s=0.05)
    assert time.monotonic() - started >= 0.05 + 0.1  # it waited between the attempts


@pytest.mark.docker
def test_present_image_needs_no_pull(docker_ready: str) -> None:
    ensure_image(docker_ready, pull_attempts=1)
