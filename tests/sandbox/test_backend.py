"""Backends own their lifecycle (issue 11): registered through the hook, chosen by name,
strict config, check / prepare / open / cleanup / describe on the real engine and bwrap."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from patchloop.plugins import DEFAULT_PLUGINS, UnknownBackendError, backends, plugin_manager
from sandbox.backend import SandboxBackend, SandboxSpec
from sandbox.docker.backend import DockerBackend, DockerConfig
from sandbox.local.backend import LocalBackend, LocalConfig


def _registered(**options: object) -> object:
    return backends(plugin_manager(entry_points=False, **options), "sandbox", lambda b: b.name)  # type: ignore[arg-type]


def test_the_built_ins_register_through_the_hook() -> None:
    assert "sandbox.plugin" in DEFAULT_PLUGINS
    found = _registered()
    assert found.names() == ["docker", "local"]  # type: ignore[attr-defined]
    assert found.get("docker") is DockerBackend and found.get("local") is LocalBackend  # type: ignore[attr-defined]
    assert _registered(defaults=False).names() == []  # type: ignore[attr-defined]
    with pytest.raises(UnknownBackendError, match=r"unknown sandbox backend 'modal' .*pip install"):
        found.get("modal")  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", [DockerBackend, LocalBackend])
def test_each_backend_has_a_name_and_a_strict_config(backend: type) -> None:
    instance = backend()
    assert isinstance(instance, SandboxBackend)
    assert instance.config.backend == backend.name
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        backend.Config(backend=backend.name, imagee="typo")
    with pytest.raises(ValidationError, match="Input should be"):
        backend.Config(backend="other")


def test_docker_config_checks_its_limits() -> None:
    with pytest.raises(ValidationError):
        DockerConfig(cpus=0)
    with pytest.raises(ValidationError):
        DockerConfig(mode="ssh")
    assert DockerConfig(memory=None, pids=None).memory is None


def test_a_spec_is_strict_too() -> None:
    with pytest.raises(ValidationError):
        SandboxSpec(run_id="")
    with pytest.raises(ValidationError):
        SandboxSpec(run_id="r", role="judge")  # type: ignore[arg-type]


@pytest.mark.docker
def test_docker_lifecycle(docker_ready: str, run_id: str) -> None:
    backend = DockerBackend(DockerConfig(image=docker_ready, memory="256m"))
    assert backend.check().startswith("Docker ") and "API" in backend.check()
    assert backend.prepare([docker_ready]) == {}
    missing = backend.prepare(["patchloop-test-missing-image:never"])
    assert (
        list(missing) == ["patchloop-test-missing-image:never"]
        and "could not be pulled" in missing["patchloop-test-missing-image:never"]
    )
    agent = backend.open(SandboxSpec(run_id=run_id, labels={"patchloop.instance_id": "x"}))
    evaluation = backend.open(SandboxSpec(run_id=run_id, role="eval", network=True))
    try:
        assert agent.mode == "session" and evaluation.mode == "exec"
        assert agent.execute("cat /proc/net/dev | grep -c :").output == "1\n"  # lo only
        assert evaluation.execute("cat /proc/net/dev | grep -c :").output != "1\n"  # eval asked for one
        described = backend.describe()
        assert described["backend"] == "docker" and described["engine"]["version"]
        assert described["limits"] == {"memory": "256m", "cpus": 2, "pids": 512, "network": False}
        removed = backend.cleanup(run_id)
        assert len(removed) == 2
        assert backend.cleanup(run_id) == []
    finally:
        agent.close()
        evaluation.close()


def test_local_lifecycle(tmp_path: Path, run_id: str) -> None:
    import shutil

    if shutil.which("bwrap") is None and not os.environ.get("CI"):
        pytest.skip("bubblewrap (bwrap) is not installed; run scripts/setup.sh")
    backend = LocalBackend(LocalConfig(env={"PL_CFG": "cfg"}))
    assert backend.check().startswith("local, confined by bubblewrap ")
    assert backend.prepare(["any:image"]) == {}
    with pytest.raises(Exception, match="needs a folder"):
        backend.open(SandboxSpec(run_id=run_id))
    sandbox = backend.open(SandboxSpec(run_id=run_id, workdir=str(tmp_path), env={"PL_SPEC": "spec"}))
    try:
        assert sandbox.execute("echo $PL_CFG $PL_SPEC").output == "cfg spec\n"
        assert backend.describe()["confined"] is True
    finally:
        sandbox.close()
    assert LocalConfig.model_validate({"backend": "local", "unsafe_unconfined": True}).unsafe_unconfined
