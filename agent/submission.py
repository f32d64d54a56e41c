"""The submission: the repository diff in the sandbox against the base commit.

New files are included and binary files come out as git binary patches. The diff is
built through a temporary index, so the repository's own index is left as it was, and
written to a file under the git dir that is read back as bytes (command output would be
truncated and decoded lossily).
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.base import Sandbox

DIFF_FILE = "patchloop.diff"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
GIT = "git -c safe.directory='*' -c core.quotepath=false"


class SubmissionError(Exception):
    """The diff could not be computed (the message says why)."""


def base_commit(sandbox: Sandbox, *, timeout: float = 60) -> str | None:
    """HEAD of the workdir, the empty tree for a repo without commits, None outside git."""
    result = sandbox.execute(
        f"{GIT} rev-parse --is-inside-work-tree >/dev/null 2>&1 || exit 3; "
        f"{GIT} rev-parse --verify -q HEAD || echo {EMPTY_TREE}",
        timeout=timeout,
        cwd=sandbox.workdir,
    )
    if result.exit_code == 3:
        return None
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    if result.exit_code != 0 or not lines:
        raise SubmissionError(f"cannot read the base commit (exit {result.exit_code}): {result.output[-500:]}")
    return lines[-1]


def diff_script(base: str, exclude: list[str], *, all_binary: bool = False) -> str:
    pathspec = " ".join(["."] + [shlex.quote(f":(exclude,glob){glob}") for glob in exclude])
    attributes = ""
    diff = GIT
    if all_binary:  # every change as a git binary patch (ASCII), for non-UTF-8 text files
        attributes = 'printf "* binary\\n" > "$gitdir/patchloop.attributes"\n'
        diff = f'{GIT} -c core.attributesFile="$gitdir/patchloop.attributes"'
    return (
        "set -e\n"
        f"gitdir=$({GIT} rev-parse --absolute-git-dir)\n"
        'export GIT_INDEX_FILE="$gitdir/patchloop.index"\n'
        'if [ -f "$gitdir/index" ]; then cp "$gitdir/index" "$GIT_INDEX_FILE"; else rm -f "$GIT_INDEX_FILE"; fi\n'
        f"{GIT} add -A -- {pathspec}\n"
        f"{attributes}"
        f"{diff} diff --cached --binary --no-color --no-ext-diff --no-renames {shlex.quote(base)} -- {pathspec} "
        f'> "$gitdir/{DIFF_FILE}"\n'
        'rm -f "$GIT_INDEX_FILE"\n'
        'echo "$gitdir"\n'
    )


def repository_diff(
    sandbox: Sandbox, base: str, *, exclude: tuple[str, ...] | list[str] = (), timeout: float = 120
) -> str:
    """The patch from ``base`` to the working tree.

    A diff that is not valid UTF-8 (a text file in another encoding) is made again with
    every change as a binary patch, so the submission is always exact and JSON-safe.
    """
    data = _diff_bytes(sandbox, base, list(exclude), timeout, all_binary=False)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _diff_bytes(sandbox, base, list(exclude), timeout, all_binary=True).decode("ascii")


def _diff_bytes(sandbox: Sandbox, base: str, exclude: list[str], timeout: float, *, all_binary: bool) -> bytes:
    script = diff_script(base, exclude, all_binary=all_binary)
    gitdir = None
    for _attempt in range(2):
        result = sandbox.execute(script, timeout=timeout, cwd=sandbox.workdir)
        if result.exit_code != 0 or result.timed_out:
            raise SubmissionError(f"git diff failed (exit {result.exit_code}): {result.output[-1000:]}")
        lines = result.output.strip().splitlines()
        if lines and lines[-1].strip().startswith("/"):
            gitdir = lines[-1].strip()
            break
        # Not our output: a command interrupted by Ctrl-C can leave a shell session one
        # answer behind; asking again returns this script's own answer.
    if gitdir is None:
        raise SubmissionError(f"unexpected output from the diff script: {result.output[-500:]!r}")
    workdir = sandbox.workdir.rstrip("/")
    path = f"{gitdir}/{DIFF_FILE}"
    if gitdir.startswith(workdir + "/"):
        path = path[len(workdir) + 1 :]
    return sandbox.read_file(path)
