"""A file's bytes as editable text, and back to the same bytes.

Decoding uses UTF-8 with `surrogateescape`, so bytes that are not UTF-8 survive an edit
unchanged. A file whose every line ends in CRLF is edited as LF text and written back
with CRLF. Line numbers count "\\n" only, like `cat -n` and `grep -n`.
"""

from __future__ import annotations

from dataclasses import dataclass

BINARY_SNIFF_BYTES = 8192


@dataclass
class TextFile:
    text: str  # LF line endings when `crlf`
    crlf: bool
    valid_utf8: bool

    @classmethod
    def decode(cls, data: bytes) -> TextFile:
        try:
            text = data.decode("utf-8")
            valid = True
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="surrogateescape")
            valid = False
        newlines = data.count(b"\n")
        crlf = newlines > 0 and data.count(b"\r\n") == newlines
        if crlf:
            text = text.replace("\r\n", "\n")
        return cls(text=text, crlf=crlf, valid_utf8=valid)

    def encode(self, text: str) -> bytes:
        """Bytes for `text` in this file's conventions (line endings, undecodable bytes)."""
        if self.crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return encode_text(text)


def encode_text(text: str) -> bytes:
    try:
        return text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate sent by the model, not one of ours
        return text.encode("utf-8", errors="replace")


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def for_display(text: str) -> str:
    """Undecodable bytes (kept as surrogates) shown as U+FFFD."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def split_lines(text: str) -> list[str]:
    """Lines without their "\\n"; a final newline does not start another line."""
    if not text:
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def keep_final_newline(original: str, edited: str) -> str:
    """Give `edited` the same presence or absence of a final newline as `original`."""
    if not original or not edited:
        return edited
    if original.endswith("\n") and not edited.endswith("\n"):
        return edited + "\n"
    if not original.endswith("\n") and edited.endswith("\n"):
        return edited[:-1]
    return edited
