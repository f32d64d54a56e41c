"""How the editor shows files and folders: numbered lines, ranges, listings, snippets."""

from __future__ import annotations

import shlex

from tools.base import ToolContext
from tools.builtin.paths import display
from tools.builtin.textfile import for_display, split_lines

SNIPPET_CONTEXT_LINES = 4


class Refused(Exception):
    """The command cannot be done as asked; the message tells the model why and what to do."""


def check_range(view_range: list[int], n_lines: int, path: str) -> tuple[int, int]:
    first, last = view_range
    if n_lines == 0 and first == 1 and last in (-1, 0, 1):
        return 1, 0  # an empty file: nothing to show, and that is not an error
    if last == -1:
        last = n_lines
    if first < 1 or first > max(n_lines, 1):
        raise Refused(f"view_range start {first} is outside the file: {path} has {n_lines} lines.")
    if last < first:
        raise Refused(f"view_range end {last} is before its start {first}; use -1 for the end of the file.")
    return first, min(last, n_lines)


def numbered(lines: list[str], first: int, last: int, *, max_line_chars: int, max_chars: int) -> tuple[str, int]:
    """Lines first..last as `cat -n` shows them, capped; returns (text, last line shown)."""
    out: list[str] = []
    used = 0
    shown = first - 1
    for number in range(first, last + 1):
        line = for_display(lines[number - 1])
        if len(line) > max_line_chars:
            line = line[:max_line_chars] + f"... [line cut: {len(line)} characters]"
        entry = f"{number:6}\t{line}\n"
        if used + len(entry) > max_chars and out:
            break
        out.append(entry)
        used += len(entry)
        shown = number
    return "".join(out), shown


def list_folder(path: str, ctx: ToolContext, *, max_entries: int) -> str:
    quoted = shlex.quote(path)
    # Two levels deep, hidden entries skipped, folders marked with a trailing "/".
    command = (
        f"find {quoted} -mindepth 1 -maxdepth 2 -name '.*' -prune -o "
        f"-type d -exec printf '%s/\\n' {{}} + -o -print | LC_ALL=C sort | head -n {max_entries + 1}"
    )
    result = ctx.sandbox.execute(command, timeout=60, cwd=path)
    if result.exit_code != 0:
        raise Refused(f"could not list {path}: {result.output.strip()[:500]}")
    entries = [line for line in result.output.splitlines() if line]
    capped = len(entries) > max_entries
    entries = entries[:max_entries]
    lines = [f"Files and folders in {path}, two levels deep (hidden ones skipped):"]
    lines += [display(ctx, entry) if not entry.endswith("/") else display(ctx, entry[:-1]) + "/" for entry in entries]
    if not entries:
        lines.append("(empty folder)")
    if capped:
        lines.append(f"[listing capped at {max_entries} entries; view a subfolder to see more]")
    return "\n".join(lines) + "\n"


def snippet(text: str, first: int, last: int, *, max_line_chars: int, max_chars: int) -> str:
    """The edited lines with a few lines of context, numbered."""
    lines = split_lines(text)
    start = max(1, first - SNIPPET_CONTEXT_LINES)
    end = min(len(lines), max(last, first) + SNIPPET_CONTEXT_LINES)
    if not lines:
        return "(the file is now empty)\n"
    body, _ = numbered(lines, start, end, max_line_chars=max_line_chars, max_chars=max_chars)
    return body
