"""The built-in sandbox backends, registered through the same hook as third-party ones."""

from __future__ import annotations

from typing import Any

from patchloop.hookspecs import hookimpl


@hookimpl
def register_sandboxes(register: Any) -> None:
    from sandbox.docker.backend import DockerBackend
    from sandbox.local.backend import LocalBackend

    register(DockerBackend)
    register(LocalBackend)
