"""Text helpers shared by the registry and the built-in tools."""

from __future__ import annotations


def truncate_middle(text: str, limit: int, *, what: str = "output") -> tuple[str, bool]:
    """Keep the head and tail of `text` within about `limit` characters.

    Returns (text, truncated). The cut falls on line boundaries where it can, and a note
    in between says how much was left out, so the model knows it did not see everything.
    """
    if limit <= 0 or len(text) <= limit:
        return text, False
    half = limit // 2
    head = text[:half]
    tail = text[len(text) - half :]
    newline = head.rfind("\n")
    if newline > half // 2:
        head = head[: newline + 1]
    newline = tail.find("\n")
    if 0 <= newline < half // 2:
        tail = tail[newline + 1 :]
    omitted = len(text) - len(head) - len(tail)
    omitted_lines = text.count("\n", len(head), len(text) - len(tail))
    note = (
        f"\n[... {what} truncated: {omitted} characters ({omitted_lines} lines) omitted "
        f"from the middle; showing the first {len(head)} and last {len(tail)} characters ...]\n"
    )
    return head + note + tail, True
