"""URL slugs."""

import re

from textkit.encoding import to_ascii

_WORD = re.compile(r"[A-Za-z0-9]+")

# Letters that Unicode does not decompose into a base letter plus an accent.
_TRANSLITERATIONS = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "œ": "oe",
    "Œ": "OE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "þ": "th",
    "Þ": "TH",
}


def _transliterate(text: str) -> str:
    return "".join(_TRANSLITERATIONS.get(ch, ch) for ch in text)


def slugify(
    text: str,
    separator: str = "-",
    max_length: int | None = None,
    lowercase: bool = True,
) -> str:
    """Turn ``text`` into a URL slug: ASCII words joined by ``separator``."""
    if max_length is not None and max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    ascii_text = to_ascii(_transliterate(text))
    if lowercase:
        ascii_text = ascii_text.lower()
    slug = separator.join(_WORD.findall(ascii_text))
    if max_length is not None and len(slug) > max_length:
        slug = slug[:max_length].rstrip(separator)
    return slug
