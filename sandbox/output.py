"""Bounded output capture shared by every backend: keep the head and the tail, count the rest."""

from __future__ import annotations


class OutputCapture:
    """Accumulates a byte stream in bounded memory.

    The first ``limit // 2`` bytes and the last ``limit - limit // 2`` bytes are kept; whatever
    falls in between is only counted. ``text()`` decodes with ``errors="replace"`` so no byte
    sequence can make it raise.
    """

    def __init__(self, limit: int) -> None:
        if limit < 2:
            raise ValueError(f"output limit must be at least 2 bytes, got {limit}")
        self._head_cap = limit // 2
        self._tail_cap = limit - self._head_cap
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        data = memoryview(data)
        self.total += len(data)
        room = self._head_cap - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if not data:
            return
        if len(data) >= self._tail_cap:
            self._tail = bytearray(data[len(data) - self._tail_cap :])
            return
        self._tail += data
        # Trim lazily (amortised): only once the tail holds twice what it must keep.
        if len(self._tail) > 2 * self._tail_cap:
            del self._tail[: len(self._tail) - self._tail_cap]

    @property
    def truncated(self) -> bool:
        return self.total > self._head_cap + self._tail_cap

    def text(self) -> str:
        tail = bytes(self._tail[-self._tail_cap :]) if self._tail else b""
        if not self.truncated:
            return (bytes(self._head) + tail).decode("utf-8", errors="replace")
        omitted = self.total - len(self._head) - len(tail)
        note = (
            f"\n\n[... {omitted} bytes of output omitted; showing the first {len(self._head)}"
            f" and the last {len(tail)} bytes ...]\n\n"
        )
        head = bytes(self._head).decode("utf-8", errors="replace")
        return head + note + tail.decode("utf-8", errors="replace")
