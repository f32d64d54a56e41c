"""The Docker backend: one locked-down container per sandbox.

- ``container``: create (pulling when needed), state, removal until gone (409 included);
- ``stream``: one ``docker exec -i`` process as a session Channel, demultiplexed with deadlines;
- ``host``: the session protocol's ShellHost (shells, control shell, files for long commands);
- ``exec_mode``: one fresh ``docker exec`` per command;
- ``files``: read/write/stat through the archive API; ``archive``: its tar helpers;
- ``sandbox``: ``DockerSandbox``, which ties them together.
"""

from __future__ import annotations

from sandbox.docker.container import MANAGED_LABEL, RUN_ID_LABEL
from sandbox.docker.sandbox import DockerSandbox

__all__ = ["MANAGED_LABEL", "RUN_ID_LABEL", "DockerSandbox"]
