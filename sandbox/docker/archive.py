"""Tar archives for the Docker archive API, and the stat header it returns."""

from __future__ import annotations

import io
import posixpath
import tarfile
import time
from dataclasses import dataclass

# Go's os.FileMode bits, which the archive stat header uses, mapped to Unix mode bits.
_GO_SETUID, _GO_SETGID, _GO_STICKY, _GO_SYMLINK = 1 << 23, 1 << 22, 1 << 20, 1 << 27
GO_DIR = 1 << 31


def unix_mode(go_mode: int) -> int:
    """Permission bits (with setuid, setgid and sticky) of a Go ``os.FileMode``."""
    mode = go_mode & 0o777
    if go_mode & _GO_SETUID:
        mode |= 0o4000
    if go_mode & _GO_SETGID:
        mode |= 0o2000
    if go_mode & _GO_STICKY:
        mode |= 0o1000
    return mode


def is_symlink(go_mode: int) -> bool:
    return bool(go_mode & _GO_SYMLINK)


def resolve_link(path: str, target: str) -> str:
    """Where a symlink at ``path`` pointing to ``target`` leads (absolute, normalised)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), target))


def single_file_tar(path: str, payload: bytes, mode: int) -> bytes:
    """A tar holding one regular file named by ``path`` relative to / (unpack it at /)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(path.lstrip("/"))
        info.size = len(payload)
        info.mode = mode
        info.mtime = int(time.time())
        tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


@dataclass
class Entry:
    """The first member of an archive fetched for one path."""

    kind: str  # "file", "symlink", "other", "missing"
    data: bytes = b""
    link: str = ""


def first_entry(archive: bytes) -> Entry:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        member = tar.next()
        if member is None:
            return Entry("missing")
        if member.issym():
            return Entry("symlink", link=member.linkname)
        if not member.isfile():
            return Entry("other")
        extracted = tar.extractfile(member)
        return Entry("file", data=extracted.read() if extracted else b"")
