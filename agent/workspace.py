"""Getting a local git repository into a sandbox: a tar of it (history included) or a scratch copy.

Only what git would consider part of the work tree travels: tracked files, untracked files
that are not ignored, and the whole ``.git`` folder (so history and the base commit come
along). Ignored bulk (virtualenvs, build output) stays behind.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from patchloop.errors import UserError


class WorkspaceError(UserError):
    """The repository cannot be used (not a folder, not a git work tree, copy failed)."""


def repo_root(path: str | Path) -> Path:
    """The top of the git work tree at ``path`` (raise WorkspaceError otherwise)."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise WorkspaceError(f"--repo {path} is not a folder")
    result = _git(path, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise WorkspaceError(f"--repo {path} is not a git repository ({result.stderr.strip()}); run `git init` there")
    return Path(result.stdout.strip()).resolve()


def dirty_paths(root: Path) -> list[str]:
    """Paths with uncommitted changes (modified, staged or untracked-but-not-ignored)."""
    result = _git(root, "status", "--porcelain", "-z", "--untracked-files=all")
    entries = [entry for entry in result.stdout.split("\0") if entry]
    return [entry[3:] for entry in entries if len(entry) > 3 and entry[2] == " "]


def repo_paths(root: Path) -> list[str]:
    """Work-tree paths to copy (relative, '/'-separated), ``.git`` first."""
    result = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if result.returncode != 0:
        raise WorkspaceError(f"git ls-files failed in {root}: {result.stderr.strip()}")
    names = {p for p in result.stdout.split("\0") if p}
    files = sorted(p for p in names if (root / p).exists() or (root / p).is_symlink())
    return [".git", *files]


def repo_tar(root: Path) -> bytes:
    """An uncompressed tar of the repository (history included)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for rel in repo_paths(root):
            tar.add(root / rel, arcname=rel, recursive=True)
    return buffer.getvalue()


def copy_repo(root: Path, dest: Path) -> Path:
    """A scratch copy of the repository at ``dest`` (which must not exist)."""
    dest.mkdir(parents=True)
    for rel in repo_paths(root):
        source = root / rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)
    return dest


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)
    except FileNotFoundError:
        raise WorkspaceError("git is not installed on this machine") from None
