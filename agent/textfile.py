"""Reading a user's text file (task, config, scripted replies) with one clear error."""

from __future__ import annotations

from pathlib import Path


def read_utf8(path: Path, what: str, error: type[Exception]) -> str:
    """The file's text; an unreadable or non-UTF-8 file raises ``error`` naming ``what`` it was."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
