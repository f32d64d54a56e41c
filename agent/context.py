"""Context compaction: what to elide from the messages sent when a request does not fit.

Only what is *sent* changes; the recorded trajectory keeps every message whole and a
``context`` event says which indexes were replaced by what.
"""

from __future__ import annotations

from collections.abc import Collection


def choose_compaction(
    sent: list[dict], compacted: Collection[int], *, keep_recent: int, min_chars: int, placeholder: str
) -> list[int]:
    """Indexes of tool observations to replace next (empty: nothing left to compact).

    The first round spares the ``keep_recent`` newest observations; when only those
    are left, the next round takes them too.
    """
    floor = max(min_chars, len(placeholder))
    candidates = [
        index
        for index, message in enumerate(sent)
        if message.get("role") == "tool" and index not in compacted and len(message.get("content") or "") > floor
    ]
    if keep_recent and len(candidates) > keep_recent:
        return candidates[:-keep_recent]
    return candidates


def content_chars(messages: list[dict]) -> int:
    return sum(len(m.get("content") or "") for m in messages)
