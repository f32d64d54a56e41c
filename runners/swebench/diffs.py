"""The paths a unified diff names and the lines it adds (diff text is data from outside)."""

from __future__ import annotations

import re

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_NAME_LINES = ("rename from ", "rename to ", "copy from ", "copy to ", "--- ", "+++ ")


def _unquote(text: str) -> str:
    """A path as git writes it between double quotes (C escapes, octal bytes)."""
    out, i = bytearray(), 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            octal = re.match(r"[0-7]{3}", text[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 4
                continue
            out.append(_ESCAPES.get(text[i + 1], ord(text[i + 1]) & 0xFF))
            i += 2
            continue
        out.extend(text[i].encode("utf-8"))
        i += 1
    return out.decode("utf-8", "replace")


def _name(text: str, prefix: str) -> str | None:
    """One path of a header line: quoted or plain, without its ``a/``/``b/`` prefix."""
    text = text.rstrip("\t\r")
    quoted = _QUOTED.fullmatch(text)
    text = _unquote(quoted.group(1)) if quoted else text
    if text == "/dev/null":
        return None
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def _git_header(rest: str) -> list[str | None]:
    """The two paths of ``diff --git a/X b/Y`` (plain paths may hold spaces: split where both halves agree)."""
    if rest.startswith('"') or rest.endswith('"'):
        names = [m.group(0) for m in re.finditer(r'"(?:[^"\\]|\\.)*"|\S+', rest)]
        return [_name(names[0], "a/"), _name(names[-1], "b/")] if len(names) >= 2 else []
    half = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[half] == " " and rest[2:half] == rest[half + 3 :]:
        return [_name(rest[:half], "a/")]
    a, sep, b = rest.partition(" b/")
    return [_name(a, "a/"), b] if sep else []


_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


def _walk(diff: str) -> tuple[list[str], list[tuple[str, str]]]:
    """One pass: the paths the headers name, and ``(path, text)`` of each added line.

    Hunk bodies are counted by their ``@@`` line counts, so a body line that looks like a
    header (a removed ``-- x`` line reads ``--- x``) is never taken for one.
    """
    paths: dict[str, None] = {}
    added: list[tuple[str, str]] = []
    current, old_left, new_left = "", 0, 0
    for line in (diff or "").split("\n"):
        if old_left > 0 or new_left > 0:
            tag = line[:1]
            if tag == "+":
                added.append((current, line[1:]))
                new_left -= 1
            elif tag == "-":
                old_left -= 1
            elif tag in (" ", ""):
                old_left, new_left = old_left - 1, new_left - 1
            continue  # "\ No newline at end of file" and the like
        hunk = _HUNK.match(line)
        if hunk:
            old_left = int(hunk.group(1) or 1)
            new_left = int(hunk.group(2) or 1)
            continue
        found: list[str | None] = []
        if line.startswith("diff --git "):
            found = _git_header(line[len("diff --git ") :])
        for head in _NAME_LINES:
            if line.startswith(head):
                found = [_name(line[len(head) :], "a/" if head == "--- " else "b/" if head == "+++ " else "")]
                if head == "+++ ":
                    current = found[0] or ""
                break
        for path in found:
            if path:
                paths.setdefault(path, None)
    return list(paths), added


def patch_files(diff: str) -> list[str]:
    """Every path a diff names (git headers, renames and copies, ``---``/``+++``), without duplicates."""
    return _walk(diff)[0]


def added_lines(diff: str) -> list[tuple[str, str]]:
    """``(path, text)`` of every line a diff adds."""
    return _walk(diff)[1]
