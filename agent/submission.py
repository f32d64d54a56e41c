"""The submission: the repository diff in the sandbox against the base commit.

The loop reads it through the :class:`SubmissionSource` seam: :class:`GitSubmission` asks
the sandbox's git; :class:`RecordedSubmission` answers from a recording (offline replay
needs no sandbox at all).

New files are included and binary files come out as git binary patches. The diff is
built through a temporary index, so the repository's own index is left as it was, and
written to a file under the git dir that is read back as bytes (command output would be
truncated and decoded lossily).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from patchloop.errors import PatchloopError
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from agent.outcomes import RunEnded
    from agent.task import ExitStatus
    from sandbox.base import Sandbox

DIFF_FILE = "patchloop.diff"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
GIT = "git -c safe.directory='*' -c core.quotepath=false"


class SubmissionError(PatchloopError):
    """The diff could not be computed (the message says why)."""


class SubmissionSource(Protocol):
    """The base commit at the start of a run and the patch against it at the end.

    Either may raise SubmissionError (the run ends without a submission, saying why) or a
    SandboxError (the sandbox is gone)."""

    def base_commit(self) -> str | None:
        """The diff base; None when the workdir is not a git repository."""
        ...

    def diff(self, base: str) -> str: ...


class GitSubmission:
    """The sandbox's git: HEAD at the start, ``git diff`` of the work tree at the end."""

    def __init__(self, sandbox: Sandbox, exclude: Sequence[str] = ()) -> None:
        self.sandbox = sandbox
        self.exclude = list(exclude)

    def base_commit(self) -> str | None:
        return base_commit(self.sandbox)

    def diff(self, base: str) -> str:
        return repository_diff(self.sandbox, base, exclude=self.exclude)


class RecordedSubmission:
    """A recorded run's base commit and patch, served back."""

    def __init__(self, base: str | None, patch: str) -> None:
        self.base = base
        self.patch = patch

    def base_commit(self) -> str | None:
        return self.base

    def diff(self, base: str) -> str:
        return self.patch


@dataclass
class Base:
    """What reading the base commit found: the commit, or why there is none (and then
    nothing to diff), or a sandbox failure, or a Ctrl-C; run_start is recorded either way."""

    commit: str | None = None
    missing: str = ""
    sandbox_problem: str = ""
    interrupted: bool = False

    def check(self) -> None:
        """After run_start: a Ctrl-C or a dead sandbox ends the run now."""
        from agent.outcomes import SandboxGone

        if self.interrupted:
            raise KeyboardInterrupt
        if self.sandbox_problem:
            raise SandboxGone(self.sandbox_problem)


def read_base(source: SubmissionSource, workdir: str, given: str | None) -> Base:
    if given is not None:
        return Base(given)
    try:
        commit = source.base_commit()
    except SubmissionError as exc:
        return Base(missing=str(exc))
    except KeyboardInterrupt:
        return Base(missing="interrupted while reading the base commit", interrupted=True)
    except SandboxError as exc:
        return Base(sandbox_problem=f"{type(exc).__name__}: {exc}")
    return Base(commit, "" if commit is not None else f"{workdir} is not a git repository")


def final_diff(source: SubmissionSource, base: Base, ended: RunEnded, cancelled: bool) -> tuple[ExitStatus, str, str]:
    """(status, reason, patch) at the end of every run: a missing patch is said in the
    reason; a sandbox gone while diffing makes it a sandbox_error unless the run was
    interrupted or cancelled anyway."""
    status, reason = ended.status, ended.reason
    if base.commit is None:
        return status, f"{reason}; no submission: {base.missing or 'the base commit was never read'}", ""
    try:
        return status, reason, source.diff(base.commit)
    except SubmissionError as exc:
        return status, f"{reason}; no submission: {exc}", ""
    except KeyboardInterrupt:
        return "interrupted", f"{reason}; interrupted again while reading the diff, so no submission", ""
    except SandboxError as exc:
        keep = status == "interrupted" or cancelled
        return status if keep else "sandbox_error", f"{reason}; no submission: {type(exc).__name__}: {exc}", ""


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
