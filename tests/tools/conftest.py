"""Fixtures for the tools tests: a ToolContext over a real LocalSandbox and a real
DockerSandbox (one container per test module, a fresh folder per test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools import ToolContext, ToolRegistry


@pytest.fixture
def local_ctx(tmp_path: Path) -> Iterator[ToolContext]:
    from sandbox import LocalSandbox

    root = tmp_path / "repo"
    root.mkdir()
    with LocalSandbox(root) as sandbox:
        yield ToolContext(sandbox=sandbox, workdir=sandbox.workdir, run_id=f"run-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module")
def docker_sandbox(docker_ready: str) -> Iterator[object]:
    from sandbox import DockerSandbox

    with DockerSandbox(
        docker_ready, run_id=f"test-tools-{uuid.uuid4().hex[:10]}", labels={"patchloop.test": "tools"}
    ) as sandbox:
        yield sandbox


@pytest.fixture
def docker_ctx(docker_sandbox) -> ToolContext:
    folder = f"/tmp/t-{uuid.uuid4().hex[:10]}"
    result = docker_sandbox.execute(f"mkdir -p {folder} && cd {folder}")  # cd persists in the session
    assert result.exit_code == 0, result.output
    return ToolContext(sandbox=docker_sandbox, workdir=folder, run_id=f"run-{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=["local", pytest.param("docker", marks=pytest.mark.docker)])
def ctx(request: pytest.FixtureRequest) -> ToolContext:
    """The same test against both backends."""
    return request.getfixturevalue(f"{request.param}_ctx")


@pytest.fixture
def registry() -> ToolRegistry:
    return ToolRegistry.with_builtins()
