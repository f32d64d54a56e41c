"""Guessing and decoding the encoding of byte strings."""

import codecs
import unicodedata

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE BOM.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(data: bytes, default: str = "latin-1") -> str:
    """Guess the encoding of ``data``.

    A byte order mark wins; otherwise valid UTF-8 is UTF-8, and anything else
    is assumed to be ``default``.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"detect_encoding() needs bytes, not {type(data).__name__}")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return default
    return "utf-8"


def decode(data: bytes, encoding: str | None = None, errors: str = "strict") -> str:
    """Decode ``data`` with ``encoding``, or with the detected one."""
    name = encoding or detect_encoding(data)
    return bytes(data).decode(name, errors)


def normalize_newlines(text: str) -> str:
    """Turn Windows (CRLF) and old Mac (CR) line endings into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def to_ascii(text: str) -> str:
    """Drop accents and every character that has no ASCII form."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")
