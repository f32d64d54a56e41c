"""File I/O in a container through the archive API: binary safe, no shell involved."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.checks import check_path
from sandbox.docker.archive import GO_DIR, first_entry, is_symlink, resolve_link, single_file_tar, unix_mode
from sandbox.engine import api_call
from sandbox.errors import SandboxError, SandboxFileNotFoundError

if TYPE_CHECKING:
    import docker

_LINK_LEVELS = 16


class ContainerFiles:
    """``lost()`` returns the error for "the container went away" (the sandbox decides which)."""

    def __init__(
        self,
        client: docker.DockerClient,
        container_id: str,
        workdir: str,
        running: Callable[[], bool],
        lost: Callable[[], SandboxError],
    ) -> None:
        self._client = client
        self._id = container_id
        self._workdir = workdir
        self._running = running
        self._lost = lost

    def abspath(self, path: str) -> str:
        check_path(path)
        return posixpath.normpath(path if path.startswith("/") else posixpath.join(self._workdir, path))

    def _stat(self, path: str) -> dict[str, Any] | None:
        """The archive endpoint's stat header for a path (a HEAD: no content is sent).

        docker-py has no public call for it; ``_url`` is the helper its own ``get_archive``
        uses to build the address. The client's timeout is passed explicitly: without it a
        wedged engine held this call forever.
        """
        from docker.utils import decode_json_header

        response = api_call(
            self._client.api.head,
            self._client.api._url("/containers/{0}/archive", self._id),
            params={"path": path},
            timeout=self._client.api.timeout,  # a bare Session call: docker-py adds none
        )
        if response.status_code == 404:
            if not self._running():
                raise self._lost()
            return None
        if response.status_code >= 400:
            if response.status_code in (409, 500) and not self._running():
                raise self._lost()  # the engine is removing it (409, or 500 as its layer goes)
            raise SandboxError(
                f"cannot look up {path} in the container (HTTP {response.status_code}); "
                "is one of its parent folders a file?"
            )
        header = response.headers.get("x-docker-container-path-stat")
        return decode_json_header(header) if header else None

    def follow(self, path: str) -> tuple[str, dict[str, Any] | None]:
        """Follow symlinks from ``path``: the final path and its stat (None if missing)."""
        target = path
        for _ in range(_LINK_LEVELS):
            stat = self._stat(target)
            if stat is None or not (is_symlink(stat["mode"]) and stat.get("linkTarget")):
                return target, stat
            target = resolve_link(target, stat["linkTarget"])
        raise SandboxError(f"too many levels of symbolic links at {path!r}")

    def file_mode(self, path: str) -> int | None:
        _target, stat = self.follow(self.abspath(path))
        return None if stat is None else unix_mode(stat["mode"])

    def read(self, path: str) -> bytes:
        from docker.errors import APIError, NotFound

        # A stat (a HEAD, ~1.5 ms) first: get_archive of a folder would pack the whole tree
        # (10 s for /usr) only to be refused.
        target, stat = self.follow(self.abspath(path))
        if stat is None:
            raise SandboxFileNotFoundError(f"no such file in the sandbox: {target}")
        if stat["mode"] & GO_DIR:
            raise SandboxFileNotFoundError(f"{target} is a folder, not a regular file")
        for _ in range(_LINK_LEVELS):
            try:
                chunks, _stat = api_call(self._client.api.get_archive, self._id, target)
                entry = first_entry(b"".join(chunks))
            except NotFound:
                if not self._running():
                    raise self._lost() from None
                raise SandboxFileNotFoundError(f"no such file in the sandbox: {target}") from None
            except APIError as exc:
                raise SandboxError(f"reading {target} from the container failed: {exc.explanation or exc}") from None
            if entry.kind == "symlink":
                target = resolve_link(target, entry.link)
                continue
            if entry.kind == "file":
                return entry.data
            if entry.kind == "missing":
                raise SandboxFileNotFoundError(f"no such file in the sandbox: {target}")
            raise SandboxFileNotFoundError(f"{target} is not a regular file")
        raise SandboxError(f"too many levels of symbolic links at {path!r}")

    def write(self, path: str, data: bytes, mode: int | None) -> None:
        """Write bytes, creating parent folders; ``mode=None`` keeps an existing file's bits."""
        target, stat = self.follow(self.abspath(path))  # write through symlinks
        if stat is not None and stat["mode"] & GO_DIR:
            raise SandboxError(f"{target} is a folder; write_file writes files")
        if mode is None:
            mode = 0o644 if stat is None else unix_mode(stat["mode"])
        self.put(target, bytes(data), mode)

    def put(self, target: str, payload: bytes, mode: int = 0o600) -> None:
        """One file into the container by a tar archive unpacked at / (the daemon creates
        missing parent folders)."""
        from docker.errors import APIError, NotFound

        archive = single_file_tar(target, payload, mode)
        try:
            ok = api_call(self._client.api.put_archive, self._id, "/", archive)
        except NotFound:
            raise self._lost() from None
        except APIError as exc:
            raise SandboxError(f"writing {target} into the container failed: {exc.explanation or exc}") from None
        if not ok:
            raise SandboxError(f"writing {target} into the container failed")
