"""Read a tool's description and argument descriptions from a Google-style docstring."""

from __future__ import annotations

import inspect
import re

_ARGS_HEADER = re.compile(r"^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments):\s*$")
_ANY_HEADER = re.compile(r"^[A-Z][A-Za-z ]*:\s*$")
_ENTRY = re.compile(r"^\*{0,2}(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(\([^)]*\))?\s*:\s*(?P<desc>.*)$")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Return (description, {argument: description}).

    The description is the first paragraph, its lines joined by spaces; a docstring that
    opens with a section header has none. Argument descriptions come from an `Args:`
    section (also `Arguments:`/`Parameters:`), entries `name: text` or `name (type): text`
    with continuation lines indented further.
    """
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    return _first_paragraph(lines), _args_section(lines)


def _first_paragraph(lines: list[str]) -> str:
    paragraph: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or (_ANY_HEADER.match(stripped) and not line.startswith(" ")):
            break
        paragraph.append(stripped)
    return " ".join(paragraph)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _args_section(lines: list[str]) -> dict[str, str]:
    args: dict[str, str] = {}
    index = 0
    while index < len(lines):
        header = lines[index]
        index += 1
        if not _ARGS_HEADER.match(header.strip()):
            continue
        # cleandoc leaves a section that opens the docstring ("""Args:) with its entries
        # at indent 0, so there the section ends only at the next header.
        header_indent = _indent(header) if index > 1 else -1
        entry_indent: int | None = None
        current: str | None = None
        while index < len(lines):
            line = lines[index]
            indent = _indent(line)
            if line.strip() and indent <= header_indent:
                break  # dedent: the section is over
            if _ANY_HEADER.match(line.strip()) and (entry_indent is None or indent <= entry_indent):
                break  # the next section (Returns:, Raises:...)
            index += 1
            if not line.strip():
                continue
            if entry_indent is None:
                entry_indent = indent
            match = _ENTRY.match(line.strip()) if indent == entry_indent else None
            if match:
                current = match.group("name")
                args[current] = match.group("desc").strip()
            elif current is not None and indent > entry_indent:
                args[current] = f"{args[current]} {line.strip()}".strip()
    return args
