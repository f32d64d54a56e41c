"""`str_replace_editor`: view, create and edit files in the sandbox, with undo.

Everything goes through the Sandbox protocol: `file_mode` (does it exist? also where a
LocalSandbox refuses paths outside its root), `read_file`, `write_file` and, for folder
listings and undoing a `create`, `execute`.
"""

from __future__ import annotations

import shlex
import stat
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sandbox.errors import SandboxFileNotFoundError
from tools.base import Tool, ToolContext, ToolResult
from tools.builtin.editor_view import Refused, check_range, list_folder, numbered, snippet
from tools.builtin.paths import resolve
from tools.builtin.textfile import (
    TextFile,
    encode_text,
    keep_final_newline,
    looks_binary,
    split_lines,
)


class EditorParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: Literal["view", "create", "str_replace", "insert", "undo_edit"] = Field(description="What to do.")
    path: str = Field(min_length=1, description="File or folder path, absolute or relative to the repository root.")
    file_text: str | None = Field(default=None, description="create: the content of the new file.")
    old_str: str | None = Field(
        default=None, description="str_replace: the exact text to replace; it must occur exactly once in the file."
    )
    new_str: str | None = Field(
        default=None, description="str_replace: the replacement (omit to delete old_str). insert: the text to insert."
    )
    insert_line: int | None = Field(
        default=None, ge=0, description="insert: new_str goes after this line number (0 puts it at the top)."
    )
    view_range: list[int] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="view: [first, last] line numbers to show, 1-based and inclusive; last -1 means end of file.",
    )


class EditorTool(Tool):
    """A file editor in the style of `str_replace_editor`, keeping per-file undo history.

    History lives in the instance, so each registry (and so each agent) has its own; it
    is keyed by run id and path so runs sharing a registry do not undo each other.
    """

    name = "str_replace_editor"
    description = (
        "View, create and edit files. `view` shows a file with line numbers (optionally a "
        "view_range) or lists a folder two levels deep; binary files are not shown. `create` "
        "writes a new file (missing parent folders are made) and refuses a path that already "
        "exists: change an existing file with str_replace or insert. `str_replace` replaces "
        "old_str, which must match exactly once (whitespace included), with new_str. `insert` "
        "adds new_str after line insert_line (0: at the top; the line count: at the end). "
        "`undo_edit` reverts the last edit of a file (after a create, removes the file). "
        "Edits keep the file's mode, line endings and final newline."
    )
    Params = EditorParams

    def __init__(
        self,
        *,
        max_view_chars: int = 20_000,
        max_line_chars: int = 2_000,
        max_listing_entries: int = 300,
        history_per_file: int = 10,
    ) -> None:
        self.max_view_chars = max_view_chars
        self.max_line_chars = max_line_chars
        self.max_listing_entries = max_listing_entries
        self.history_per_file = history_per_file
        self._history: dict[tuple[str, str], list[bytes | None]] = {}

    def _caps(self) -> dict[str, int]:
        return {"max_line_chars": self.max_line_chars, "max_chars": self.max_view_chars}

    def run(self, params: EditorParams, ctx: ToolContext) -> ToolResult:
        path = resolve(ctx, params.path)
        handlers = {
            "view": self._view,
            "create": self._create,
            "str_replace": self._str_replace,
            "insert": self._insert,
            "undo_edit": self._undo,
        }
        try:
            content = handlers[params.command](params, path, ctx)
        except Refused as refusal:
            return ToolResult(ok=False, content=f"Error: {refusal}")
        return ToolResult(ok=True, content=content)

    # -- view ----------------------------------------------------------------------------

    def _view(self, params: EditorParams, path: str, ctx: ToolContext) -> str:
        data = self._read(path, ctx)
        if data is None:
            if params.view_range is not None:
                raise Refused(f"{path} is a folder; view_range only applies to files.")
            return list_folder(path, ctx, max_entries=self.max_listing_entries)
        if looks_binary(data):
            return (
                f"{path} looks like a binary file ({len(data)} bytes); not shown. "
                "Inspect it with bash if needed (e.g. `xxd FILE | head`)."
            )
        text_file = TextFile.decode(data)
        lines = split_lines(text_file.text)
        first, last = 1, len(lines)
        if params.view_range is not None:
            first, last = check_range(params.view_range, len(lines), path)
        body, shown_last = numbered(
            lines, first, last, max_line_chars=self.max_line_chars, max_chars=self.max_view_chars
        )
        notes = []
        if shown_last < last:
            notes.append(
                f"[output capped at {self.max_view_chars} characters: showed lines {first}-{shown_last} "
                f"of {len(lines)}. Use view_range=[{shown_last + 1}, ...] to see more, or search for "
                "what you need.]"
            )
        if not text_file.valid_utf8:
            notes.append(
                "[note: this file is not valid UTF-8; undecodable bytes are shown as \ufffd "
                "and are kept unchanged by edits]"
            )
        if not lines:
            body = "(empty file)\n"
        return body + "".join(note + "\n" for note in notes)

    # -- edits ---------------------------------------------------------------------------

    @staticmethod
    def _is_folder(path: str, ctx: ToolContext) -> bool:
        # Asked of the shell, not by reading: read_file on a folder would make a Docker
        # sandbox archive the whole tree only to find out it is not a file.
        return ctx.sandbox.execute(f"test -d {shlex.quote(path)}", timeout=30).exit_code == 0

    def _read(self, path: str, ctx: ToolContext) -> bytes | None:
        """The file's bytes; None for a folder."""
        # file_mode comes first: it tells "missing" apart, and a LocalSandbox refuses a
        # path outside its root there (before anything runs through execute).
        if ctx.sandbox.file_mode(path) is None:
            raise Refused(f"{path} does not exist. View a folder to find the right path.")
        if self._is_folder(path, ctx):
            return None
        try:
            return ctx.sandbox.read_file(path)
        except SandboxFileNotFoundError:
            raise Refused(f"{path} is not a regular file (a device, socket or broken link).") from None

    def _existing_file(self, path: str, ctx: ToolContext) -> tuple[int, bytes]:
        mode = ctx.sandbox.file_mode(path)
        if mode is None:
            raise Refused(f"{path} does not exist. Create it with command=create.")
        if self._is_folder(path, ctx):
            raise Refused(f"{path} is a folder; edits apply to files.")
        try:
            data = ctx.sandbox.read_file(path)
        except SandboxFileNotFoundError:
            raise Refused(f"{path} is not a regular file; edits apply to files.") from None
        if looks_binary(data):
            raise Refused(f"{path} looks like a binary file; the editor only edits text.")
        return mode, data

    def _write(self, path: str, before: bytes | None, data: bytes, mode: int | None, ctx: ToolContext) -> None:
        ctx.sandbox.write_file(path, data, mode=stat.S_IMODE(mode) if mode is not None else None)
        history = self._history.setdefault((ctx.run_id, path), [])
        history.append(before)
        del history[: -self.history_per_file]

    def _create(self, params: EditorParams, path: str, ctx: ToolContext) -> str:
        if params.file_text is None:
            raise Refused("create needs file_text, the content of the new file.")
        mode = ctx.sandbox.file_mode(path)
        if mode is not None:
            raise Refused(
                f"{path} already exists; create does not overwrite. Change it with str_replace or "
                "insert, or remove it with bash first if you really mean to replace it."
            )
        self._write(path, None, encode_text(params.file_text), None, ctx)
        count = len(split_lines(params.file_text))
        return f"Created {path} ({count} line{'' if count == 1 else 's'})."

    def _str_replace(self, params: EditorParams, path: str, ctx: ToolContext) -> str:
        if params.old_str is None or params.old_str == "":
            raise Refused("str_replace needs old_str, the exact non-empty text to replace.")
        mode, data = self._existing_file(path, ctx)
        text_file = TextFile.decode(data)
        text = text_file.text
        old = params.old_str.replace("\r\n", "\n") if text_file.crlf else params.old_str
        new = params.new_str or ""
        new = new.replace("\r\n", "\n") if text_file.crlf else new
        count = text.count(old)
        if count == 0:
            hint = (
                ""
                if text_file.valid_utf8
                else (
                    " The file has bytes that are not UTF-8 (shown as \ufffd by view); pick an "
                    "old_str that avoids them."
                )
            )
            raise Refused(
                f"no replacement made: old_str was not found in {path}. It must match exactly, "
                f"including whitespace and indentation; view the file and copy the text.{hint}"
            )
        if count > 1:
            where = _occurrence_lines(text, old)
            shown = ", ".join(str(n) for n in where[:20]) + (", ..." if len(where) > 20 else "")
            raise Refused(
                f"no replacement made: old_str occurs {count} times in {path} (starting at lines "
                f"{shown}). Include more surrounding lines so that it matches exactly once."
            )
        start = text.index(old)
        edited = keep_final_newline(text, text[:start] + new + text[start + len(old) :])
        self._write(path, data, text_file.encode(edited), mode, ctx)
        first_line = text.count("\n", 0, start) + 1
        last_line = first_line + max(new.count("\n"), 0)
        return f"Edited {path}. The changed region now reads:\n" + snippet(
            edited, first_line, last_line, max_line_chars=self.max_line_chars, max_chars=self.max_view_chars
        )

    def _insert(self, params: EditorParams, path: str, ctx: ToolContext) -> str:
        if params.insert_line is None:
            raise Refused("insert needs insert_line (0 inserts at the top of the file).")
        if params.new_str is None:
            raise Refused("insert needs new_str, the text to insert.")
        mode, data = self._existing_file(path, ctx)
        text_file = TextFile.decode(data)
        text = text_file.text
        lines = split_lines(text)
        if params.insert_line > len(lines):
            raise Refused(f"insert_line {params.insert_line} is past the end: {path} has {len(lines)} lines.")
        new = params.new_str.replace("\r\n", "\n") if text_file.crlf else params.new_str
        if not new.endswith("\n"):
            new += "\n"
        if params.insert_line == len(lines) and text and not text.endswith("\n"):
            edited = text + "\n" + new[:-1]  # appending to a file that has no final newline
        else:
            offset = _line_offset(text, params.insert_line)
            edited = text[:offset] + new + text[offset:]
        self._write(path, data, text_file.encode(edited), mode, ctx)
        first_line = params.insert_line + 1
        last_line = params.insert_line + new.count("\n")
        return (
            f"Inserted {new.count(chr(10))} line(s) into {path} after line {params.insert_line}. "
            "The region now reads:\n" + snippet(edited, first_line, last_line, **self._caps())
        )

    def _undo(self, params: EditorParams, path: str, ctx: ToolContext) -> str:
        history = self._history.get((ctx.run_id, path))
        if not history:
            raise Refused(f"there is no edit of {path} to undo.")
        ctx.sandbox.file_mode(path)  # a LocalSandbox refuses paths outside its root here
        before = history.pop()
        if before is None:
            result = ctx.sandbox.execute(f"rm -f -- {shlex.quote(path)}", timeout=30)
            if result.exit_code != 0:
                history.append(before)
                raise Refused(f"could not remove {path}: {result.output.strip()[:500]}")
            return f"Undid the creation of {path}: the file is removed."
        ctx.sandbox.write_file(path, before)
        return f"Undid the last edit of {path}; it is back to its previous content."


def _line_offset(text: str, line: int) -> int:
    """The index just after line `line` (0 -> start of text)."""
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset


def _occurrence_lines(text: str, needle: str) -> list[int]:
    lines, start = [], 0
    while (index := text.find(needle, start)) != -1:
        lines.append(text.count("\n", 0, index) + 1)
        start = index + len(needle)
    return lines
