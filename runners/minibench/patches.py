"""Reading unified diffs: touched files, added lines, and the fix-leak checks built on them."""

from __future__ import annotations

import re

_DIFF_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)
LEAK_MIN_CHARS = 10


def touched_files(patch: str) -> list[str]:
    """Target paths of every file in ``patch``, in order."""
    return [m.group(2) for m in _DIFF_HEADER.finditer(patch)]


def existing_files(patch: str) -> list[str]:
    """Files the patch modifies that exist before it (not created by it)."""
    out = []
    for block in re.split(r"(?m)^(?=diff --git )", patch):
        header = _DIFF_HEADER.match(block)
        if header and "\n--- /dev/null\n" not in block and "\nnew file mode" not in block:
            out.append(header.group(1))
    return out


def added_blocks(patch: str) -> list[list[str]]:
    """Runs of consecutive added lines (without the leading ``+``), per hunk."""
    blocks: list[list[str]] = []
    current: list[str] = []
    in_hunk = False
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            in_hunk = False
        elif line.startswith("@@"):
            in_hunk = True
        if in_hunk and line.startswith("+") and not line.startswith("+++ "):
            current.append(line[1:])
            continue
        if current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def leak_lines(patch: str) -> list[str]:
    """Added lines of ``patch``, stripped, that are long enough to count for the leak rule."""
    lines = []
    for block in added_blocks(patch):
        for line in block:
            text = line.strip()
            if len(text) > LEAK_MIN_CHARS and text not in lines:
                lines.append(text)
    return lines


def leaked_into_text(patch: str, text: str) -> list[str]:
    """Lines of the fix that appear verbatim in ``text`` (e.g. the problem statement)."""
    return [line for line in leak_lines(patch) if line in text]


def blocks_present(patch: str, files: dict[str, str]) -> list[str]:
    """Added blocks of ``patch`` found verbatim in the file they target.

    A fix whose added code is already in the base file is a leak (or a patch that
    does nothing). Single short lines are skipped: they collide by chance.
    """
    found = []
    for block_file, block in _blocks_by_file(patch):
        content = files.get(block_file)
        if content is None:
            continue
        joined = "\n".join(block)
        if len(joined.strip()) <= LEAK_MIN_CHARS:
            continue
        if len(block) == 1:
            hit = any(line.strip() == joined.strip() for line in content.splitlines())
        else:
            hit = joined in content
        if hit:
            found.append(f"{block_file}: {joined.strip()[:80]!r}")
    return found


def _blocks_by_file(patch: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for chunk in re.split(r"(?m)^(?=diff --git )", patch):
        header = _DIFF_HEADER.match(chunk)
        if header:
            out.extend((header.group(2), block) for block in added_blocks(chunk))
    return out
