"""Finding one command's sentinel in a byte stream, in bounded memory."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.output import OutputCapture


@dataclass(frozen=True)
class Sentinel:
    """What the shell printed after a command: ``\\n<token> rc pids oom0 oom1 pid cwd\\0\\n``."""

    exit_code: int
    pids_events: int | None  # forks refused at the pids limit so far (None: not known)
    oom_before: int | None  # the memory cgroup's oom_kill counter as the command started
    oom_after: int | None  # ... and as it ended
    pid: int  # the shell's pid
    cwd: str  # the shell's folder after the command (undecodable bytes as surrogates)

    @property
    def oom_killed(self) -> bool:
        return self.oom_before is not None and self.oom_after is not None and self.oom_after > self.oom_before


def _number(word: str) -> int | None:
    return int(word) if word.lstrip("-").isdigit() else None


def parse_sentinel(fields: bytes) -> Sentinel:
    """The fields after the token (``rc pids oom0 oom1 pid cwd``, without the final NUL)."""
    parts = fields.split(b" ", 5)
    parts += [b""] * (6 - len(parts))
    code, pids, oom0, oom1, pid, cwd = (part.decode("utf-8", "surrogateescape") for part in parts)
    exit_code = _number(code)
    return Sentinel(
        exit_code=-1 if exit_code is None else exit_code,
        pids_events=_number(pids),
        oom_before=_number(oom0),
        oom_after=_number(oom1),
        pid=_number(pid) or 0,
        cwd=cwd,
    )


class SentinelScanner:
    """Feeds a byte stream into an OutputCapture until ``token``'s sentinel has been seen.

    Bytes that might be the start of the marker are held back, so memory stays bounded no
    matter how much output flows; bytes after the sentinel are kept in ``leftover``. Text
    that only looks like a sentinel (another token, an earlier command's) is output.
    """

    def __init__(self, token: str, capture: OutputCapture) -> None:
        self._marker = b"\n" + token.encode() + b" "
        self._capture = capture
        self._pending = bytearray()
        self._in_sentinel = False
        self.sentinel: Sentinel | None = None
        self.leftover = b""

    def feed(self, data: bytes) -> bool:
        """Consume data; return True once the sentinel is complete."""
        if self.sentinel is not None:
            self.leftover += data
            return True
        self._pending += data
        if not self._in_sentinel:
            index = self._pending.find(self._marker)
            if index < 0:
                keep = len(self._marker) - 1
                if len(self._pending) > keep:
                    cut = len(self._pending) - keep
                    self._capture.feed(memoryview(self._pending)[:cut])
                    del self._pending[:cut]
                return False
            self._capture.feed(memoryview(self._pending)[:index])
            del self._pending[: index + len(self._marker)]
            self._in_sentinel = True
        end = self._pending.find(b"\x00\n")
        if end < 0:
            if len(self._pending) > 65536:  # no folder name is this long: not ours after all
                self._in_sentinel = False
                self._capture.feed(self._marker + bytes(self._pending))
                self._pending = bytearray()
            return False
        self.sentinel = parse_sentinel(bytes(self._pending[:end]))
        self.leftover = bytes(self._pending[end + 2 :])
        self._pending = bytearray()
        return True

    def flush(self) -> None:
        """The stream ended (or the wait did) without a sentinel: what was held back is output."""
        if self.sentinel is None:
            if self._in_sentinel:
                self._capture.feed(self._marker)
                self._in_sentinel = False
            self._capture.feed(self._pending)
            self._pending = bytearray()
