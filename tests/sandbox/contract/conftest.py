"""The sandbox contract suite: one set of tests, run against every backend.

Each test takes the ``contract`` fixture: a :class:`helpers.contract.Contract` that says how
to open a sandbox of one backend and how to look at it from outside. The parameters:

- ``docker-session``: DockerBackend, the agent's persistent shell;
- ``docker-exec``: DockerBackend's evaluation sandboxes (a fresh ``docker exec`` per command);
- ``local-bwrap``: LocalBackend confined by bubblewrap;
- ``local-unconfined``: LocalBackend with ``unsafe_unconfined`` (no namespaces at all).

How a new backend joins: write a function ``make_<name>(tmp_path, run_id) -> Contract`` in
``tests/helpers/contract.py`` (or next to your backend's tests) that fills the Contract's
fields (``open`` from your backend's ``open(SandboxSpec)``, ``processes`` that sees every
process of the sandbox, ``kill_from_outside`` that makes it gone the way your engine can
lose it, ``cleanup`` through your backend's ``cleanup(run_id)``), and add one
``pytest.param("<name>", marks=...)`` to ``BACKENDS`` below, with the marks its
infrastructure needs (``pytest.mark.docker`` for anything that talks to an engine). Tests
that a backend cannot pass by design read the Contract's flags (``persistent``,
``isolated``) and skip with the reason; nothing else changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.contract import MAKERS, Contract

BACKENDS = [
    pytest.param("docker-session", marks=pytest.mark.docker),
    pytest.param("docker-exec", marks=pytest.mark.docker),
    pytest.param("local-bwrap"),
    pytest.param("local-unconfined"),
]


@pytest.fixture(params=BACKENDS)
def contract(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Contract]:
    name = request.param
    if name.startswith("docker"):
        request.getfixturevalue("docker_ready")  # skips (visibly) without an engine
    if name == "local-bwrap":
        request.getfixturevalue("bwrap_ready")
    made = MAKERS[name](tmp_path, f"test-contract-{uuid.uuid4().hex[:10]}")
    try:
        yield made
    finally:
        made.close_all()


@pytest.fixture(scope="session")
def bwrap_ready() -> None:
    import os
    import shutil

    if shutil.which("bwrap") is None:
        if os.environ.get("CI"):
            pytest.fail("bubblewrap must be installed in CI (scripts/setup.sh installs it)")
        pytest.skip("bubblewrap (bwrap) is not installed; run scripts/setup.sh")
