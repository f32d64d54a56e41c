"""bash, search and submit against a real LocalSandbox and a real DockerSandbox."""

import pytest

from tools import ToolRegistry
from tools.builtin import BashTool, SearchTool


def put(ctx, relpath: str, data: bytes, mode: int | None = None) -> str:
    """Write a file through the sandbox protocol; returns its absolute path."""
    path = f"{ctx.workdir}/{relpath}"
    ctx.sandbox.write_file(path, data, mode=mode)
    return path


def call(ctx, name, arguments, registry=None):
    return (registry or ToolRegistry.with_builtins()).call(name, arguments, ctx)


# -- bash -----------------------------------------------------------------------------------


def test_bash_output_and_exit_code(ctx):
    result = call(ctx, "bash", {"command": "echo out; echo err >&2"})
    assert result.ok and result.exit_code == 0 and not result.timed_out
    assert result.content == "out\nerr\n"


def test_bash_failure_reports_exit_code(ctx):
    result = call(ctx, "bash", {"command": "echo partial; exit 3"})
    assert not result.ok and result.exit_code == 3
    assert result.content == "partial\n[exit code 3]"
    assert result.error_type is None  # the tool worked; the command failed


def test_bash_no_output(ctx):
    result = call(ctx, "bash", '{"command": "true"}')
    assert result.ok and result.content == "(no output)"


def test_bash_runs_in_the_working_folder_and_keeps_cd(ctx):
    registry = ToolRegistry.with_builtins()
    put(ctx, "sub/marker.txt", b"here\n")
    assert call(ctx, "bash", {"command": "pwd"}, registry).content.strip() == ctx.workdir
    call(ctx, "bash", {"command": "cd sub"}, registry)
    assert call(ctx, "bash", {"command": "cat marker.txt"}, registry).content == "here\n"


def test_bash_timeout_kills_the_command(ctx):
    result = call(ctx, "bash", {"command": "sleep 30; echo never", "timeout": 1})
    assert result.timed_out and not result.ok
    assert "timed out after 1 s" in result.content and "never" not in result.content
    assert result.duration_ms < 15_000


def test_bash_output_truncated_head_and_tail(ctx):
    registry = ToolRegistry()
    registry.register(BashTool(max_output_chars=2_000))
    result = call(ctx, "bash", {"command": "seq 1 20000"}, registry)
    assert result.ok and result.truncated
    lines = result.content.splitlines()
    assert lines[0] == "1" and lines[-1] == "20000"
    assert any("output truncated" in line and "omitted" in line for line in lines)
    assert len(result.content) < 2_400


def test_bash_rejects_empty_command_and_bad_timeout(ctx):
    assert call(ctx, "bash", {"command": ""}).error_type == "invalid_arguments"
    result = call(ctx, "bash", {"command": "ls", "timeout": -1})
    assert result.error_type == "invalid_arguments" and "timeout" in result.content
    for huge in (1e9, "Infinity"):
        result = call(ctx, "bash", {"command": "ls", "timeout": huge})
        assert result.error_type == "invalid_arguments" and "less than or equal to 3600" in result.content


@pytest.mark.parametrize("kwargs", [{"default_timeout": 0}, {"default_timeout": 1e9}, {"max_output_chars": 0}])
def test_bash_tool_refuses_bad_settings_when_made(kwargs):
    """Not at the model's first call, as a ValueError from the sandbox."""
    from tools.builtin.bash import BashTool

    with pytest.raises(ValueError, match=next(iter(kwargs))):
        BashTool(**kwargs)


def test_search_tool_refuses_a_bad_timeout_when_made():
    from tools.builtin.search import SearchTool

    with pytest.raises(ValueError, match="timeout must be a positive"):
        SearchTool(timeout=0)


# -- search ---------------------------------------------------------------------------------


@pytest.fixture
def tree(ctx):
    put(ctx, "pkg/a.py", b"def alpha():\n    return 1\n\nclass Alpha:\n    pass\n")
    put(ctx, "pkg/b.txt", b"alpha in text\n")
    put(ctx, "pkg/sub/c.py", b"x = ALPHA\n")
    put(ctx, ".git/config", b"alpha hidden\n")
    put(ctx, "bin.dat", b"\x00\x01alpha\x00")
    put(ctx, "latin.txt", b"caf\xe9 alpha\n")
    return ctx


def test_search_lists_file_line_text(tree):
    result = call(tree, "search", {"pattern": r"alpha\b"})
    assert result.ok, result.content
    assert result.content.splitlines() == [
        "latin.txt:1: caf\ufffd alpha",
        "pkg/a.py:1: def alpha():",
        "pkg/b.txt:1: alpha in text",
        "[3 matching lines in 3 files]",
    ]


def test_search_include_ignore_case_and_subpath(tree):
    result = call(tree, "search", {"pattern": "alpha", "include": "*.py", "ignore_case": True})
    assert result.content.splitlines()[:-1] == [
        "pkg/a.py:1: def alpha():",
        "pkg/a.py:4: class Alpha:",
        "pkg/sub/c.py:1: x = ALPHA",
    ]
    result = call(tree, "search", {"pattern": "ALPHA", "path": "pkg/sub"})
    assert result.content.splitlines()[0] == "pkg/sub/c.py:1: x = ALPHA"
    result = call(tree, "search", {"pattern": "return", "path": f"{tree.workdir}/pkg/a.py"})
    assert result.content.splitlines()[0] == "pkg/a.py:2:     return 1"


PY_HITS = ["pkg/a.py:1: def alpha():", "pkg/a.py:4: class Alpha:", "pkg/sub/c.py:1: x = ALPHA"]


@pytest.mark.parametrize(
    "include, expected",
    [
        ("**/*.py", PY_HITS),  # said "No matches": fnmatch knows no `**`
        ("pkg/**/*.py", PY_HITS),
        ("pkg/sub/*.py", PY_HITS[2:]),
        ("*.{py,txt}", ["latin.txt:1: caf\ufffd alpha", *PY_HITS[:2], "pkg/b.txt:1: alpha in text", PY_HITS[2]]),
    ],
)
def test_search_include_takes_the_globs_models_write(tree, include, expected):
    result = call(tree, "search", {"pattern": "alpha", "ignore_case": True, "include": include})
    assert result.content.splitlines()[:-1] == expected, result.content


def test_search_no_match_under_include_names_it(tree):
    result = call(tree, "search", {"pattern": "alpha", "include": "*.rs"})
    assert result.ok and result.content == "No matches for 'alpha' in . among files matching '*.rs'."


def test_search_grep_engine_takes_path_globs_by_their_name_part(tree):
    registry = ToolRegistry()
    registry.register(SearchTool(engine="grep"))
    result = call(tree, "search", {"pattern": "alpha", "ignore_case": True, "include": "**/*.{py,txt}"}, registry)
    lines = sorted(result.content.splitlines()[1:-1])
    assert [*PY_HITS[:2], "pkg/b.txt:1: alpha in text", PY_HITS[2]] == [
        line for line in lines if line.startswith("pkg/")
    ]


def test_search_capped_with_note(ctx):
    put(ctx, "many.txt", "".join(f"hit {i}\n" for i in range(200)).encode())
    result = call(ctx, "search", {"pattern": "hit", "max_results": 5})
    lines = result.content.splitlines()
    assert result.truncated and lines[:5] == [f"many.txt:{i + 1}: hit {i}" for i in range(5)]
    assert lines[5].startswith("[showing the first 5 of 200 matching lines in 1 files")


def test_search_no_match_bad_regex_missing_path(ctx):
    put(ctx, "a.txt", b"nothing\n")
    assert call(ctx, "search", {"pattern": "zebra"}).content == "No matches for 'zebra' in .."
    bad = call(ctx, "search", {"pattern": "(open"})
    assert not bad.ok and "invalid regular expression" in bad.content
    missing = call(ctx, "search", {"pattern": "x", "path": "nope"})
    assert not missing.ok and "does not exist" in missing.content


def test_search_grep_engine(tree):
    registry = ToolRegistry()
    registry.register(SearchTool(engine="grep"))
    result = call(tree, "search", {"pattern": "alpha", "include": "*.py", "ignore_case": True}, registry)
    lines = result.content.splitlines()
    assert lines[0].startswith("[searched with grep -E")
    assert sorted(lines[1:-1]) == ["pkg/a.py:1: def alpha():", "pkg/a.py:4: class Alpha:", "pkg/sub/c.py:1: x = ALPHA"]
    assert lines[-1] == "[3 matching lines in 2 files]"


def test_search_outside_local_root_is_refused(local_ctx):
    result = call(local_ctx, "search", {"pattern": "root", "path": "/etc"})
    assert not result.ok and result.error_type == "sandbox.errors.PathEscapeError"


# -- submit ---------------------------------------------------------------------------------


def test_submit_ends_the_run(ctx):
    for arguments in ("", "{}", None):
        result = call(ctx, "submit", arguments)
        assert result.ok and result.ends_run
    assert call(ctx, "submit", {"patch": "x"}).error_type == "invalid_arguments"


def test_search_falls_back_to_grep_without_python3(tmp_path):
    """A sandbox without python3 (PATH holds only a shell and coreutils-like tools)."""
    import shutil

    from sandbox import LocalSandbox
    from tools import ToolContext

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("bash", "grep", "head", "cat", "sort", "find"):
        (bin_dir / program).symlink_to(shutil.which(program))
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("needle = 1\n")
    with LocalSandbox(root, env={"PATH": str(bin_dir)}) as sandbox:
        ctx = ToolContext(sandbox=sandbox, workdir=sandbox.workdir)
        assert sandbox.execute("python3 -c 1").exit_code == 127
        result = call(ctx, "search", {"pattern": "needle"})
    assert result.ok
    assert result.content.splitlines() == [
        "[searched with grep -E because the sandbox has no python3: POSIX ERE syntax]",
        "pkg/a.py:1: needle = 1",
        "[1 matching lines in 1 files]",
    ]


def test_a_closed_sandbox_is_reported_with_its_error_type(tmp_path):
    """The agent ends the run on ``sandbox_gone`` results (checked by exception type)."""
    from sandbox import LocalSandbox
    from tools import ToolContext

    sandbox = LocalSandbox(tmp_path)
    sandbox.close()
    ctx = ToolContext(sandbox=sandbox, workdir=sandbox.workdir)
    result = call(ctx, "bash", {"command": "echo hi"})
    assert not result.ok and result.error_type == "sandbox.errors.SandboxClosedError" and result.sandbox_gone
    assert result.content.startswith("Error: tool 'bash' failed: SandboxClosedError:")
