"""Git plumbing for base trees: deterministic commits and diffs, with no user config involved."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from runners.minibench.errors import MinibenchError

AUTHOR_NAME = "minibench"
AUTHOR_EMAIL = "minibench@patchloop.invalid"
BRANCH = "main"


def _env(date: str | None = None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": "/nonexistent",
        "LANG": "C.UTF-8",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": AUTHOR_NAME,
        "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
        "GIT_COMMITTER_NAME": AUTHOR_NAME,
        "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
    }
    if date:
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
    return env


def git(repo: Path, *args: str, date: str | None = None, input: bytes | None = None) -> str:
    """Run git in ``repo`` with an isolated config; return stdout, raise with stderr on failure."""
    proc = subprocess.run(
        ["git", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=_env(date),
        input=input,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise MinibenchError(
            f"git {' '.join(args)} failed in {repo} (exit {proc.returncode}): "
            f"{proc.stderr.decode('utf-8', 'replace').strip()}"
        )
    return proc.stdout.decode("utf-8")


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` under ``root`` (replacing what is there at those paths)."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)


def init_commit(root: Path, message: str, date: str) -> str:
    """``git init`` ``root`` and commit everything in it once; return the commit SHA.

    Identity, dates, branch and config are fixed, so the same tree gives the same SHA.
    """
    git(root, "init", "-q", "-b", BRANCH)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", message, date=date)
    return git(root, "rev-parse", "HEAD").strip()


def diff_against_head(root: Path, paths: list[str]) -> str:
    """A ``diff --git`` patch from HEAD to the working tree for ``paths`` (new files included)."""
    git(root, "add", "-A", "--", *paths)
    text = git(
        root,
        "diff",
        "--cached",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "HEAD",
        "--",
        *paths,
    )
    git(root, "reset", "-q", "--", *paths)
    return text
