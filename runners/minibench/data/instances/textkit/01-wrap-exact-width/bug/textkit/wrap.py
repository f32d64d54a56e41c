"""Word wrapping, justification and truncation."""


def wrap(text: str, width: int = 70, *, break_long_words: bool = True) -> list[str]:
    """Wrap ``text`` into lines of at most ``width`` characters.

    Runs of whitespace (newlines included) separate words. A word longer than
    ``width`` is cut into pieces unless ``break_long_words`` is false, in which
    case it gets a line of its own.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, got {width}")
    lines: list[str] = []
    current: list[str] = []
    length = 0
    for word in text.split():
        while break_long_words and len(word) > width:
            if current:
                lines.append(" ".join(current))
                current, length = [], 0
            lines.append(word[:width])
            word = word[width:]
        if not word:
            continue
        extra = len(word) + (1 if current else 0)
        if current and length + extra >= width:
            lines.append(" ".join(current))
            current, length = [word], len(word)
        else:
            current.append(word)
            length += extra
    if current:
        lines.append(" ".join(current))
    return lines


def fill(text: str, width: int = 70) -> str:
    """Wrap ``text`` and join the lines with newlines."""
    return "\n".join(wrap(text, width))


def justify_line(line: str, width: int) -> str:
    """Spread the words of ``line`` so that it is exactly ``width`` wide.

    Extra spaces go to the leftmost gaps first. A single word is left aligned.
    """
    words = line.split()
    if len(words) < 2:
        return line.ljust(width)
    gaps = len(words) - 1
    spaces = width - sum(len(word) for word in words)
    if spaces < gaps:
        raise ValueError(f"line is wider than {width}: {line!r}")
    base, extra = divmod(spaces, gaps)
    parts = []
    for i, word in enumerate(words[:-1]):
        parts.append(word + " " * (base + (1 if i < extra else 0)))
    parts.append(words[-1])
    return "".join(parts)


def justify(text: str, width: int = 70) -> str:
    """Wrap ``text`` and justify every line except the last one."""
    lines = wrap(text, width)
    if not lines:
        return ""
    body = [justify_line(line, width) for line in lines[:-1]]
    return "\n".join(body + [lines[-1]])


def truncate(text: str, width: int, placeholder: str = "...") -> str:
    """Shorten ``text`` to at most ``width`` characters, ending with ``placeholder``."""
    if width < 0:
        raise ValueError(f"width must not be negative, got {width}")
    if len(text) <= width:
        return text
    if width <= len(placeholder):
        return placeholder[:width]
    return text[: width - len(placeholder)] + placeholder


def indent(text: str, prefix: str, *, skip_blank: bool = True) -> str:
    """Add ``prefix`` to the start of every line (blank lines skipped by default)."""
    out = []
    for line in text.splitlines(keepends=True):
        if skip_blank and not line.strip():
            out.append(line)
        else:
            out.append(prefix + line)
    return "".join(out)
