"""`search`: a regular expression over the files under a path, run inside the sandbox.

The search runs as a small Python program inside the sandbox (every image we target has
python3), so the pattern means the same everywhere: Python `re` syntax, checked here
before anything runs. Without python3 in the sandbox it falls back to `grep -rnE`.
"""

from __future__ import annotations

import re
import shlex

from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool, ToolContext, ToolResult
from tools.builtin.paths import display, resolve

SUMMARY_MARK = "__PATCHLOOP_SEARCH__"
SKIP_DIRS = (".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".venv", ".mypy_cache", ".pytest_cache")
MAX_FILE_BYTES = 5_000_000
MAX_LINE_CHARS = 300

# Arguments: pattern, root, include globs (newline-separated, "" for all; one with a "/" is
# matched against the path below root, one without against the file name), ignore_case ("1"/"0"), max results,
# the folder paths are shown relative to. Prints `path:line: text` lines, then a summary
# line with the match, file and scanned-file counts.
_SEARCH_PROGRAM = (
    r"""
import fnmatch, os, re, sys
pattern, root, include, icase, limit, base = sys.argv[1:7]
limit = int(limit)
skip = set(sys.argv[7].split(","))
rx = re.compile(pattern, re.IGNORECASE if icase == "1" else 0)
includes = [glob for glob in include.split("\n") if glob]
def wanted(path):
    if not includes:
        return True
    name, rel = os.path.basename(path), os.path.relpath(path, root)
    return any(fnmatch.fnmatch(rel if "/" in glob else name, glob) for glob in includes)
# UTF-8 whatever the locale (an old python3 under LANG=C would print ASCII and crash).
out = open(sys.stdout.fileno(), "w", encoding="utf-8", errors="replace", closefd=False)
matches = files = scanned = 0
def show(path):
    rel = os.path.relpath(path, base)
    return path if rel == ".." or rel.startswith("../") else rel
def scan(path):
    global matches, files, scanned
    try:
        if os.path.getsize(path) > %(max_bytes)d:
            return
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return
    if b"\0" in data[:8192]:
        return
    scanned += 1
    hit = False
    for number, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
        if rx.search(line):
            hit = True
            matches += 1
            if matches <= limit:
                text = line.rstrip("\r")
                if len(text) > %(max_line)d:
                    text = text[:%(max_line)d] + "..."
                out.write("%%s:%%d: %%s\n" %% (show(path), number, text))
    files += hit
if os.path.isfile(root):
    scan(root)
else:
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
        for name in sorted(names):
            if wanted(os.path.join(folder, name)):
                scan(os.path.join(folder, name))
out.write("%(mark)s %%d %%d %%d\n" %% (matches, files, scanned))
out.flush()
"""  # noqa: UP031 - the program text holds its own braces
    % {
        "max_bytes": MAX_FILE_BYTES,
        "max_line": MAX_LINE_CHARS,
        "mark": SUMMARY_MARK,
    }
)


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(min_length=1, description="A Python regular expression, matched against each line.")
    path: str = Field(default=".", description="File or folder to search, absolute or relative to the repository root.")
    include: str | None = Field(
        default=None,
        description="Only files matching this glob: a name like '*.py' or '*.{py,pyi}', or a path "
        "below `path` like 'src/**/*.py'.",
    )
    ignore_case: bool = Field(default=False, description="Match case-insensitively.")
    max_results: int = Field(default=50, ge=1, le=500, description="Stop listing after this many matching lines.")


class SearchTool(Tool):
    """Searches file contents inside the sandbox; results capped with a note."""

    name = "search"
    description = (
        "Search file contents with a regular expression (Python syntax). Lists matching lines "
        "as `path:line: text`, skipping binary files and hidden or cache folders. Use `include` "
        "to limit to file names like '*.py' or paths like 'src/**/*.py'."
    )
    Params = SearchParams

    def __init__(self, *, timeout: float = 60.0, engine: str = "auto") -> None:
        if engine not in ("auto", "python", "grep"):
            raise ValueError(f"engine must be 'auto', 'python' or 'grep', got {engine!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.timeout = timeout
        self.engine = engine

    def run(self, params: SearchParams, ctx: ToolContext) -> ToolResult:
        try:
            re.compile(params.pattern)
        except re.error as exc:
            return ToolResult(
                ok=False,
                content=f"Error: invalid regular expression {params.pattern!r}: {exc}. "
                "Escape special characters such as ( [ . * + ? with a backslash.",
            )
        root = resolve(ctx, params.path)
        if ctx.sandbox.file_mode(root) is None:  # LocalSandbox: refuses paths outside its root
            return ToolResult(ok=False, content=f"Error: {root} does not exist.")
        note = ""
        if self.engine in ("auto", "python"):
            result = ctx.sandbox.execute(self._python_command(params, root, ctx), timeout=self.timeout, cwd=ctx.workdir)
            if result.exit_code == 127 and self.engine == "auto":
                result = None  # type: ignore[assignment]  # no python3 here
        else:
            result = None
        if result is None:
            result = ctx.sandbox.execute(self._grep_command(params, root), timeout=self.timeout, cwd=ctx.workdir)
            note = "[searched with grep -E because the sandbox has no python3: POSIX ERE syntax]\n"
            lines, summary = self._parse_grep(result.output, params.max_results, ctx)
        else:
            lines, summary = self._parse_python(result.output)
        if result.timed_out:
            return ToolResult(
                ok=False,
                timed_out=True,
                exit_code=result.exit_code,
                content=f"Error: the search timed out after {self.timeout:g} s; narrow path or include.",
            )
        if summary is None:
            return ToolResult(
                ok=False,
                exit_code=result.exit_code,
                content=f"Error: the search failed: {result.output.strip()[-1000:]}",
            )
        matches, files = summary
        where = display(ctx, root)
        if matches == 0:
            among = f" among files matching {params.include!r}" if params.include else ""
            return ToolResult(
                ok=True, exit_code=0, content=f"{note}No matches for {params.pattern!r} in {where}{among}."
            )
        body = "\n".join(lines[: params.max_results])
        truncated = matches > params.max_results
        if truncated:
            body += (
                f"\n[showing the first {params.max_results} of {matches} matching lines in {files} files; "
                "narrow the search with path or include, or raise max_results]"
            )
        else:
            body += f"\n[{matches} matching lines in {files} files]"
        return ToolResult(ok=True, exit_code=0, truncated=truncated or result.truncated, content=note + body)

    def _python_command(self, params: SearchParams, root: str, ctx: ToolContext) -> str:
        args = [
            params.pattern,
            root,
            "\n".join(include_globs(params.include)),
            "1" if params.ignore_case else "0",
            str(params.max_results),
            ctx.workdir,
            ",".join(SKIP_DIRS),
        ]
        return "python3 -c " + shlex.quote(_SEARCH_PROGRAM) + " " + " ".join(shlex.quote(a) for a in args)

    def _grep_command(self, params: SearchParams, root: str) -> str:
        parts = ["grep", "-rnHI", "-E"]
        if params.ignore_case:
            parts.append("-i")
        # grep matches --include against file names only: the name part of each glob
        parts += sorted({f"--include={glob.rsplit('/', 1)[-1]}" for glob in include_globs(params.include)})
        parts += [f"--exclude-dir={name}" for name in SKIP_DIRS]
        parts += ["-e", params.pattern, "--", root]
        limit = 10_000
        return " ".join(shlex.quote(p) for p in parts) + f" | head -n {limit}; echo {SUMMARY_MARK} grep"

    @staticmethod
    def _parse_python(output: str) -> tuple[list[str], tuple[int, int] | None]:
        lines = output.splitlines()
        for index in range(len(lines) - 1, -1, -1):
            if lines[index].startswith(SUMMARY_MARK + " "):
                fields = lines[index].split()
                return lines[:index], (int(fields[1]), int(fields[2]))
        return lines, None

    @staticmethod
    def _parse_grep(output: str, limit: int, ctx: ToolContext) -> tuple[list[str], tuple[int, int] | None]:
        raw = output.splitlines()
        if not raw or raw[-1] != f"{SUMMARY_MARK} grep":
            return raw, None
        lines: list[str] = []
        files: set[str] = set()
        matches = 0
        for line in raw[:-1]:
            match = re.match(r"^(.*?):(\d+):(.*)$", line)
            if not match:
                continue  # a grep complaint (unreadable file...), not a match
            path, number, text = match.groups()
            files.add(path)
            matches += 1
            if len(lines) < limit:
                text = text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + "..."
                lines.append(f"{display(ctx, path)}:{number}: {text}")
        return lines, (matches, len(files))


def include_globs(include: str | None) -> list[str]:
    """The fnmatch globs an `include` stands for: braces expanded (`*.{py,pyi}`), and a
    `**/` also meaning no folder at all (`**/*.py` matches `a.py` too), as in shells and
    ripgrep; fnmatch has neither."""
    if not include:
        return []
    globs: list[str] = []
    pending = [include]
    while pending:
        glob = pending.pop()
        brace = re.search(r"\{([^{}]*,[^{}]*)\}", glob)
        if brace:
            pending += [glob[: brace.start()] + part + glob[brace.end() :] for part in brace.group(1).split(",")]
            continue
        variants = [glob]
        while "**/" in variants[-1]:
            variants.append(variants[-1].replace("**/", "", 1))
        globs += [variant for variant in variants if variant and variant not in globs]
    return sorted(globs)
