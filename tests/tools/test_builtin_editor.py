"""str_replace_editor against a real LocalSandbox and a real DockerSandbox."""

import pytest

from tools import ToolRegistry
from tools.builtin import EditorTool

EDIT = "str_replace_editor"


def put(ctx, relpath: str, data: bytes, mode: int | None = None) -> str:
    """Write a file through the sandbox protocol; returns its absolute path."""
    path = f"{ctx.workdir}/{relpath}"
    ctx.sandbox.write_file(path, data, mode=mode)
    return path


def get(ctx, relpath: str) -> bytes:
    return ctx.sandbox.read_file(f"{ctx.workdir}/{relpath}")


@pytest.fixture
def registry():
    return ToolRegistry.with_builtins()


def edit(registry, ctx, **arguments):
    return registry.call(EDIT, arguments, ctx)


# -- view -----------------------------------------------------------------------------------


def test_view_file_with_line_numbers_and_ranges(registry, ctx):
    put(ctx, "f.py", b"one\ntwo\nthree\nfour\n")
    assert edit(registry, ctx, command="view", path="f.py").content == (
        "     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour\n"
    )
    assert edit(registry, ctx, command="view", path="f.py", view_range=[2, 3]).content == (
        "     2\ttwo\n     3\tthree\n"
    )
    assert edit(registry, ctx, command="view", path=f"{ctx.workdir}/f.py", view_range=[3, -1]).content == (
        "     3\tthree\n     4\tfour\n"
    )
    bad = edit(registry, ctx, command="view", path="f.py", view_range=[9, 10])
    assert not bad.ok and "outside the file" in bad.content and "4 lines" in bad.content
    assert "before its start" in edit(registry, ctx, command="view", path="f.py", view_range=[3, 2]).content
    assert edit(registry, ctx, command="view", path="f.py", view_range=[1]).error_type == "invalid_arguments"


def test_view_folder_two_levels_hidden_skipped(registry, ctx):
    for rel in ("a.py", "pkg/b.py", "pkg/deep/c.py", ".git/HEAD", "pkg/.hidden"):
        put(ctx, rel, b"x\n")
    result = edit(registry, ctx, command="view", path=".")
    assert result.ok
    assert result.content.splitlines()[1:] == ["a.py", "pkg/", "pkg/b.py", "pkg/deep/"]


def test_view_missing_path_and_empty_file(registry, ctx):
    missing = edit(registry, ctx, command="view", path="nope.py")
    assert not missing.ok and "does not exist" in missing.content
    put(ctx, "empty.txt", b"")
    assert edit(registry, ctx, command="view", path="empty.txt").content == "(empty file)\n"
    assert edit(registry, ctx, command="view", path="empty.txt", view_range=[1, -1]).content == "(empty file)\n"


def test_view_huge_file_is_capped_with_a_note(ctx):
    registry = ToolRegistry()
    registry.register(EditorTool(max_view_chars=5_000))
    put(ctx, "big.txt", "".join(f"line number {i}\n" for i in range(1, 50_001)).encode())
    result = edit(registry, ctx, command="view", path="big.txt")
    assert result.ok and len(result.content) < 5_600
    lines = result.content.splitlines()
    assert lines[0] == "     1\tline number 1"
    note = lines[-1]
    shown = int(lines[-2].split("\t")[0])
    assert note.startswith(f"[output capped at 5000 characters: showed lines 1-{shown} of 50000.")
    assert f"view_range=[{shown + 1}, ...]" in note


def test_view_very_long_line_is_cut(ctx):
    registry = ToolRegistry()
    registry.register(EditorTool(max_line_chars=100))
    put(ctx, "min.js", b"x" * 10_000 + b"\n")
    assert edit(registry, ctx, command="view", path="min.js").content == (
        "     1\t" + "x" * 100 + "... [line cut: 10000 characters]\n"
    )


def test_view_binary_file_is_not_dumped(registry, ctx):
    put(ctx, "blob.bin", b"\x7fELF\x00\x00\x01" * 100)
    result = edit(registry, ctx, command="view", path="blob.bin")
    assert result.ok and "binary file (700 bytes)" in result.content


# -- create ---------------------------------------------------------------------------------


def test_create_new_file_with_parents_refuses_existing(registry, ctx):
    result = edit(registry, ctx, command="create", path="new/dir/m.py", file_text="print('hi')\n")
    assert result.ok and "Created" in result.content
    assert get(ctx, "new/dir/m.py") == b"print('hi')\n"
    assert ctx.sandbox.file_mode(f"{ctx.workdir}/new/dir/m.py") == 0o644
    again = edit(registry, ctx, command="create", path="new/dir/m.py", file_text="x")
    assert not again.ok and "already exists" in again.content
    assert get(ctx, "new/dir/m.py") == b"print('hi')\n"
    assert "needs file_text" in edit(registry, ctx, command="create", path="other.py").content
    # The model is told before it tries: create never overwrites.
    description = registry.get("str_replace_editor").description
    assert "refuses a path that already exists" in description
    assert edit(registry, ctx, command="create", path="one.txt", file_text="x").content.endswith("(1 line).")


# -- str_replace ----------------------------------------------------------------------------


def test_str_replace_once(registry, ctx):
    put(ctx, "m.py", b"def f():\n    return 1\n\n\ndef g():\n    return 2\n")
    result = edit(registry, ctx, command="str_replace", path="m.py", old_str="return 2", new_str="return 3")
    assert result.ok
    assert get(ctx, "m.py") == b"def f():\n    return 1\n\n\ndef g():\n    return 3\n"
    assert "     6\t    return 3" in result.content and "     2\t    return 1" in result.content


def test_str_replace_no_match(registry, ctx):
    put(ctx, "m.py", b"a = 1\n")
    result = edit(registry, ctx, command="str_replace", path="m.py", old_str="a  = 1", new_str="a = 2")
    assert not result.ok and "old_str was not found" in result.content
    assert get(ctx, "m.py") == b"a = 1\n"


def test_str_replace_several_matches_reports_count_and_lines(registry, ctx):
    put(ctx, "m.py", b"x = 0\nx = 0\ny = 1\nx = 0\n")
    result = edit(registry, ctx, command="str_replace", path="m.py", old_str="x = 0", new_str="x = 9")
    assert not result.ok
    assert "occurs 3 times" in result.content and "lines 1, 2, 4" in result.content
    assert get(ctx, "m.py") == b"x = 0\nx = 0\ny = 1\nx = 0\n"


def test_str_replace_delete_with_omitted_new_str(registry, ctx):
    put(ctx, "m.py", b"keep\ndrop me\nkeep too\n")
    assert edit(registry, ctx, command="str_replace", path="m.py", old_str="drop me\n").ok
    assert get(ctx, "m.py") == b"keep\nkeep too\n"


def test_str_replace_requires_old_str_and_a_file(registry, ctx):
    put(ctx, "d/f.txt", b"x\n")
    assert "needs old_str" in edit(registry, ctx, command="str_replace", path="d/f.txt").content
    assert "is a folder" in edit(registry, ctx, command="str_replace", path="d", old_str="x").content
    assert "does not exist" in edit(registry, ctx, command="str_replace", path="zz", old_str="x").content


def test_crlf_line_endings_are_kept(registry, ctx):
    put(ctx, "win.txt", b"alpha\r\nbeta\r\ngamma\r\n")
    assert edit(registry, ctx, command="view", path="win.txt").content == (
        "     1\talpha\n     2\tbeta\n     3\tgamma\n"
    )
    assert edit(
        registry, ctx, command="str_replace", path="win.txt", old_str="beta\ngamma", new_str="BETA\nnew line\ngamma"
    ).ok
    assert get(ctx, "win.txt") == b"alpha\r\nBETA\r\nnew line\r\ngamma\r\n"
    assert edit(registry, ctx, command="insert", path="win.txt", insert_line=0, new_str="top").ok
    assert get(ctx, "win.txt") == b"top\r\nalpha\r\nBETA\r\nnew line\r\ngamma\r\n"


def test_non_utf8_file_views_and_edits_keep_its_bytes(registry, ctx):
    original = b"# caf\xe9 \xff\xfe\nname = 'old'\n"
    put(ctx, "latin1.py", original)
    view = edit(registry, ctx, command="view", path="latin1.py")
    assert view.ok and "caf\ufffd" in view.content and "not valid UTF-8" in view.content
    assert edit(registry, ctx, command="str_replace", path="latin1.py", old_str="'old'", new_str="'new'").ok
    assert get(ctx, "latin1.py") == b"# caf\xe9 \xff\xfe\nname = 'new'\n"
    miss = edit(registry, ctx, command="str_replace", path="latin1.py", old_str="caf\ufffd", new_str="x")
    assert not miss.ok and "not UTF-8" in miss.content
    assert edit(registry, ctx, command="undo_edit", path="latin1.py").ok
    assert get(ctx, "latin1.py") == original


def test_mode_is_kept(registry, ctx):
    put(ctx, "run.sh", b"#!/bin/sh\necho old\n", mode=0o750)
    assert edit(registry, ctx, command="str_replace", path="run.sh", old_str="old", new_str="new").ok
    assert edit(registry, ctx, command="insert", path="run.sh", insert_line=2, new_str="echo end").ok
    assert ctx.sandbox.file_mode(f"{ctx.workdir}/run.sh") == 0o750
    assert get(ctx, "run.sh") == b"#!/bin/sh\necho new\necho end\n"
    assert edit(registry, ctx, command="undo_edit", path="run.sh").ok
    assert ctx.sandbox.file_mode(f"{ctx.workdir}/run.sh") == 0o750


@pytest.mark.parametrize(
    "old, new, before, after",
    [
        ("b", "B\n", b"a\nb", b"a\nB"),  # no final newline stays absent
        ("b\n", "B", b"a\nb\n", b"a\nB\n"),  # a final newline stays present
        ("a\nb\n", "", b"a\nb\nc\n", b"c\n"),
    ],
)
def test_final_newline_is_kept(registry, ctx, old, new, before, after):
    put(ctx, "f.txt", before)
    assert edit(registry, ctx, command="str_replace", path="f.txt", old_str=old, new_str=new).ok
    assert get(ctx, "f.txt") == after


# -- insert ---------------------------------------------------------------------------------


def test_insert_top_middle_end(registry, ctx):
    put(ctx, "f.txt", b"one\ntwo\n")
    assert edit(registry, ctx, command="insert", path="f.txt", insert_line=0, new_str="zero").ok
    assert edit(registry, ctx, command="insert", path="f.txt", insert_line=2, new_str="1.5a\n1.5b\n").ok
    result = edit(registry, ctx, command="insert", path="f.txt", insert_line=5, new_str="three")
    assert result.ok and "after line 5" in result.content
    assert get(ctx, "f.txt") == b"zero\none\n1.5a\n1.5b\ntwo\nthree\n"
    past = edit(registry, ctx, command="insert", path="f.txt", insert_line=99, new_str="x")
    assert not past.ok and "past the end" in past.content and "6 lines" in past.content
    assert "needs insert_line" in edit(registry, ctx, command="insert", path="f.txt", new_str="x").content


def test_insert_at_end_of_file_without_final_newline(registry, ctx):
    put(ctx, "f.txt", b"a\nb")
    assert edit(registry, ctx, command="insert", path="f.txt", insert_line=2, new_str="c").ok
    assert get(ctx, "f.txt") == b"a\nb\nc"


# -- undo -----------------------------------------------------------------------------------


def test_undo_steps_back_through_history(registry, ctx):
    put(ctx, "f.txt", b"v1\n")
    edit(registry, ctx, command="str_replace", path="f.txt", old_str="v1", new_str="v2")
    edit(registry, ctx, command="str_replace", path="f.txt", old_str="v2", new_str="v3")
    assert get(ctx, "f.txt") == b"v3\n"
    assert edit(registry, ctx, command="undo_edit", path="f.txt").ok
    assert get(ctx, "f.txt") == b"v2\n"
    assert edit(registry, ctx, command="undo_edit", path=f"{ctx.workdir}/f.txt").ok  # same file
    assert get(ctx, "f.txt") == b"v1\n"
    nothing = edit(registry, ctx, command="undo_edit", path="f.txt")
    assert not nothing.ok and "no edit" in nothing.content


def test_undo_of_create_removes_the_file(registry, ctx):
    assert edit(registry, ctx, command="create", path="tmp.txt", file_text="x").ok
    assert edit(registry, ctx, command="undo_edit", path="tmp.txt").ok
    assert ctx.sandbox.file_mode(f"{ctx.workdir}/tmp.txt") is None


def test_undo_history_is_per_registry(ctx):
    first, second = ToolRegistry.with_builtins(), ToolRegistry.with_builtins()
    put(ctx, "f.txt", b"a\n")
    edit(first, ctx, command="str_replace", path="f.txt", old_str="a", new_str="b")
    assert not edit(second, ctx, command="undo_edit", path="f.txt").ok
    assert edit(first, ctx, command="undo_edit", path="f.txt").ok


# -- local sandbox root --------------------------------------------------------------------


@pytest.mark.parametrize(
    "command, extra",
    [
        ("view", {}),
        ("create", {"file_text": "x"}),
        ("str_replace", {"old_str": "root", "new_str": "x"}),
        ("insert", {"insert_line": 0, "new_str": "x"}),
    ],
)
@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.txt", "/etc"])
def test_path_outside_local_root_is_refused(registry, local_ctx, tmp_path, command, extra, path):
    (tmp_path / "outside.txt").write_text("root\n")
    result = edit(registry, local_ctx, command=command, path=path, **extra)
    assert not result.ok and result.error_type == "sandbox.errors.PathEscapeError"
    assert "outside the sandbox root" in result.content
    assert (tmp_path / "outside.txt").read_text() == "root\n"


def test_symlink_out_of_local_root_is_refused(registry, local_ctx, tmp_path):
    (tmp_path / "secret.txt").write_text("secret\n")
    (tmp_path / "repo" / "link.txt").symlink_to(tmp_path / "secret.txt")
    result = edit(registry, local_ctx, command="view", path="link.txt")
    assert not result.ok and result.error_type == "sandbox.errors.PathEscapeError"
