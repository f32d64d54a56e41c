"""`python -m agent` without Docker: usage errors, the local scratch copy, --help speed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.agent.conftest import FIX_COMMAND, bash, git, submit
from tests.agent.test_docker import write_replies

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = "import sys, runpy; sys.argv=['agent','--help']\ntry:\n runpy.run_module('agent', run_name='__main__')\nexcept SystemExit: pass\nprint(sorted(m for m in ('litellm','docker','jinja2','tenacity','pydantic','yaml') if m in sys.modules))"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("[]")
    assert elapsed < 0.5


def test_cli_usage_errors_exit_2(git_repo: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "agent", "run", "--repo", str(git_repo), "--task", "t", "--model", "scripted:x.jsonl",
         "-c", "agent.stepp_limit=3"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2 and "agent.stepp_limit" in proc.stderr and "agent.step_limit" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "agent", "run", "--repo", str(tmp_path), "--task", "t", "--model", "scripted:x.jsonl",
         "--sandbox", "local"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2 and "not a git repository" in proc.stderr


def test_cli_local_scratch_copy_leaves_the_repo_alone(git_repo: Path, tmp_path: Path) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", FIX_COMMAND), submit()])
    proc = subprocess.run(
        [sys.executable, "-m", "agent", "run", "--repo", str(git_repo), "--task", "t", "--model", f"scripted:{replies}",
         "--sandbox", "local", "--output", str(tmp_path / "out")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "+    return a + b" in proc.stdout
    assert git(git_repo, "status", "--porcelain") == ""  # the original is untouched
