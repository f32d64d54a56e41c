"""Display width of text in a monospaced terminal."""

import unicodedata

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def char_width(ch: str) -> int:
    """Return how many terminal columns one character takes (0, 1 or 2)."""
    if ch in _ZERO_WIDTH:
        return 0
    if unicodedata.category(ch) == "Cc":
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def display_width(text: str) -> int:
    """Return the number of terminal columns ``text`` takes."""
    return sum(char_width(ch) for ch in text)
