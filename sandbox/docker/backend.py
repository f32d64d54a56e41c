"""DockerBackend: the Docker engine as a sandbox backend (the seam of ``sandbox/backend.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from sandbox.backend import BackendConfig, SandboxSpec
from sandbox.docker.container import MANAGED_LABEL, RUN_ID_LABEL
from sandbox.docker.sandbox import DockerSandbox
from sandbox.engine import api_call, connect, docker_host
from sandbox.errors import ImageNotFoundError, SandboxError

ROLE_LABEL = "patchloop.role"
CHECK_TIMEOUT_S = 15.0  # check() asks the engine once, with this bound


class DockerConfig(BackendConfig):
    backend: Literal["docker"] = "docker"
    image: str = "patchloop-base:bookworm"
    workdir: str = "/testbed"
    memory: str | None = "4g"
    cpus: float | None = Field(default=2, gt=0)
    pids: int | None = Field(default=512, gt=0)
    network: bool = False
    env: dict[str, str] = Field(default_factory=dict, description="variables set in the sandbox (never secrets)")
    mode: Literal["session", "exec"] = Field(
        default="session", description="the agent's sandbox: one persistent shell, or a docker exec per command"
    )


class DockerBackend:
    """Containers on the engine ``DOCKER_HOST`` names (the local socket by default).

    Evaluation sandboxes (``role="eval"``) run in exec mode, a fresh shell per command,
    like the official harness; agents get ``config.mode`` (a persistent session).
    """

    name: ClassVar[str] = "docker"
    Config: ClassVar[type[BackendConfig]] = DockerConfig

    def __init__(self, config: DockerConfig | None = None) -> None:
        self.config: DockerConfig = config or DockerConfig()

    def check(self) -> str:
        client = connect(timeout=CHECK_TIMEOUT_S)
        try:
            version = api_call(client.version)
        finally:
            client.close()
        return f"Docker {version.get('Version', '?')} (API {version.get('ApiVersion', '?')}) at {docker_host()}"

    def prepare(self, images: Sequence[str]) -> dict[str, str]:
        """Pull what is missing (3 attempts each, exponential wait); what could not be had."""
        from sandbox.images import ensure_image

        missing: dict[str, str] = {}
        client = connect()
        try:
            for image in dict.fromkeys(images):
                try:
                    ensure_image(image, client=client)
                except (ImageNotFoundError, SandboxError) as exc:
                    missing[image] = str(exc)
        finally:
            client.close()
        return missing

    def open(self, spec: SandboxSpec) -> DockerSandbox:
        cfg = self.config
        return DockerSandbox(
            spec.image or cfg.image,
            workdir=spec.workdir or cfg.workdir,
            env={**cfg.env, **spec.env},
            network=spec.network or (cfg.network and spec.role == "agent"),
            memory=cfg.memory,
            cpus=cfg.cpus,
            pids=cfg.pids,
            run_id=spec.run_id,
            labels={**spec.labels, ROLE_LABEL: spec.role},
            mode=cfg.mode if spec.role == "agent" else "exec",
            init_script=spec.init_script,
        )

    def cleanup(self, run_id: str | None) -> list[str]:
        """Force-remove the containers labelled with ``run_id`` (every patchloop one with
        None); their names. A removal already in progress counts as removed."""
        from sandbox.docker.container import remove_container

        client = connect()
        try:
            labels = [f"{MANAGED_LABEL}=1"] + ([f"{RUN_ID_LABEL}={run_id}"] if run_id is not None else [])
            found = api_call(client.api.containers, all=True, filters={"label": labels})
            removed = []
            for entry in found:
                remove_container(client, entry["Id"])
                removed.append((entry.get("Names") or [entry["Id"][:12]])[0].lstrip("/"))
            return removed
        finally:
            client.close()

    def describe(self) -> dict[str, Any]:
        cfg = self.config
        info: dict[str, Any] = {
            "backend": self.name,
            "host": docker_host(),
            "mode": cfg.mode,
            "limits": {"memory": cfg.memory, "cpus": cfg.cpus, "pids": cfg.pids, "network": cfg.network},
        }
        try:
            client = connect(timeout=CHECK_TIMEOUT_S)
            try:
                version = api_call(client.version)
            finally:
                client.close()
            info["engine"] = {"version": version.get("Version"), "api": version.get("ApiVersion")}
        except SandboxError as exc:
            info["engine"] = {"error": str(exc).split(". ")[0]}
        return info
