"""Fixtures for the agent tests: a scratch git repository with a seeded bug and local
OpenAI-compatible HTTP servers (the helpers themselves live in ``helpers.agent``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.agent import FakeOpenAI, seeded_repo


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A git repository with one commit holding a bug (add subtracts) and its test."""
    return seeded_repo(tmp_path)


@pytest.fixture
def fake_openai() -> Iterator[Callable[..., FakeOpenAI]]:
    servers: list[FakeOpenAI] = []

    def start(handler: Callable[[dict, int], tuple[int, bytes, float]]) -> FakeOpenAI:
        server = FakeOpenAI(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
