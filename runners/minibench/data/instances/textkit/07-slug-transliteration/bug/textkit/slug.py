"""URL slugs."""

import re

from textkit.encoding import to_ascii

_WORD = re.compile(r"[A-Za-z0-9]+")

def slugify(
    text: str,
    separator: str = "-",
    max_length: int | None = None,
    lowercase: bool = True,
) -> str:
    """Turn ``text`` into a URL slug: ASCII words joined by ``separator``."""
    if max_length is not None and max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    ascii_text = to_ascii(text)
    if lowercase:
        ascii_text = ascii_text.lower()
    slug = separator.join(_WORD.findall(ascii_text))
    if max_length is not None and len(slug) > max_length:
        slug = slug[:max_length].rstrip(separator)
    return slug
