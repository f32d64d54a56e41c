"""`python -m agent` without Docker: usage errors, the local scratch copy, --help speed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from helpers.agent import FIX_COMMAND, bash, git, interrupt_cli, submit, write_replies

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, runpy; sys.argv=['agent','--help']\n"
        "try:\n runpy.run_module('agent', run_name='__main__')\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('litellm','docker','jinja2','tenacity','pydantic','yaml') if m in sys.modules))"
    )
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("[]")
    assert elapsed < 0.5


def test_cli_usage_errors_exit_2(git_repo: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            "scripted:x.jsonl",
            "-c",
            "agent.stepp_limit=3",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "agent.stepp_limit" in proc.stderr and "agent.step_limit" in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(tmp_path),
            "--task",
            "t",
            "--model",
            "scripted:x.jsonl",
            "--sandbox",
            "local",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "not a git repository" in proc.stderr


def test_cli_local_scratch_copy_leaves_the_repo_alone(git_repo: Path, tmp_path: Path) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", FIX_COMMAND), submit()])
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            f"scripted:{replies}",
            "--sandbox",
            "local",
            "--output",
            str(tmp_path / "out"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "+    return a + b" in proc.stdout
    assert git(git_repo, "status", "--porcelain") == ""  # the original is untouched


def test_cli_loads_a_plugin_tool_and_records_it(git_repo: Path, tmp_path: Path) -> None:
    import json

    from helpers.agent import call

    from trajectories.reader import load

    plugin = tmp_path / "shout_tools.py"
    plugin.write_text(
        "from tools import tool\n\n\n@tool\ndef shout(text: str) -> str:\n"
        '    """Upper-case a text."""\n    return text.upper()\n'
    )
    reply = {"role": "assistant", "content": None, "tool_calls": [call("c1", "shout", {"text": "hi there"})]}
    replies = write_replies(tmp_path / "r.jsonl", [reply, submit()])
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            f"scripted:{replies}",
            "--sandbox",
            "local",
            "--plugin",
            str(plugin),
            "--output",
            str(out),
            "--run-id",
            "plug",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    trajectory = load(out / "plug.jsonl")
    assert any(t["function"]["name"] == "shout" for t in trajectory.run_start.tools)
    assert any(p.source.endswith("shout_tools.py") for p in trajectory.run_start.plugins)
    results = [e.content for e in trajectory.events if e.type == "tool_result"]
    assert results[0] == "HI THERE"
    assert json.loads((out / "plug.jsonl").read_text().splitlines()[-1])["exit_status"] == "submitted"


def test_secret_named_sandbox_env_is_refused(git_repo: Path, tmp_path: Path) -> None:
    import pytest

    from agent.runner import RunOptions, UsageError, run_single

    replies = write_replies(tmp_path / "r.jsonl", [submit()])
    with pytest.raises(UsageError, match="sandbox.env.OPENAI_API_KEY looks like a secret"):
        run_single(
            RunOptions(
                repo=git_repo,
                task="t",
                model=f"scripted:{replies}",
                sandbox="local",
                overrides=["sandbox.env={OPENAI_API_KEY: x}"],
                output=tmp_path / "o",
            )
        )


def test_in_place_needs_the_local_sandbox(git_repo: Path, tmp_path: Path) -> None:
    import pytest

    from agent.runner import RunOptions, UsageError, run_single

    replies = write_replies(tmp_path / "r.jsonl", [submit()])
    with pytest.raises(UsageError, match="--in-place works only with --sandbox local"):
        run_single(RunOptions(repo=git_repo, task="t", model=f"scripted:{replies}", sandbox="docker", in_place=True))


def test_in_place_local_run_edits_the_repository(git_repo: Path, tmp_path: Path) -> None:
    from agent.runner import RunOptions, run_single

    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", FIX_COMMAND), submit()])
    outcome = run_single(
        RunOptions(
            repo=git_repo, task="t", model=f"scripted:{replies}", sandbox="local", in_place=True, output=tmp_path / "o"
        )
    )
    assert outcome.result.exit_status == "submitted"
    assert "a + b" in (git_repo / "calc.py").read_text()
    assert git(git_repo, "status", "--porcelain").strip() == "M calc.py"


def test_ctrl_c_ends_the_run_interrupted_with_the_patch(git_repo: Path, tmp_path: Path) -> None:
    from trajectories.reader import load

    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", "echo '# edited' >> calc.py; sleep 60"), submit()])

    def edited(lines: list[str]) -> bool:
        scratch = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("working in a scratch copy"))
        return "edited" in (Path(scratch) / "calc.py").read_text()

    code, out = interrupt_cli(
        [
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            f"scripted:{replies}",
            "--sandbox",
            "local",
            "--output",
            str(tmp_path / "out"),
            "--run-id",
            "ctrlc",
        ],
        edited,
    )
    assert code == 130 and "exit status: interrupted" in out
    assert "+# edited" in out
    trajectory = load(tmp_path / "out" / "ctrlc.jsonl")
    assert trajectory.run_end.exit_status == "interrupted" and "+# edited" in trajectory.run_end.submission


def bad_input_cases(git_repo: Path, tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    replies = write_replies(tmp_path / "r.jsonl", [submit()])
    malformed = tmp_path / "malformed.jsonl"
    malformed.write_text('{"role": "assistant", "content": "x"}\nnot json\n')
    wrong_key = tmp_path / "wrong_key.yaml"
    wrong_key.write_text("- role: assistant\n  content: hi\n  tool_call: []\n")
    scripted = f"scripted:{replies}"
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("agent: {} # caf\u00e9\n".encode("latin-1"))
    good = tmp_path / "good.yaml"
    good.write_text("agent:\n  step_limit: 5\n")
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text("agent:\n  stepp_limit: 5\n")
    dirty = tmp_path / "dirty"
    shutil.copytree(git_repo, dirty)
    (dirty / "calc.py").write_text("# half-done edit\n")
    return {
        "dirty repo": (["--repo", str(dirty), "--model", scripted], "uncommitted changes (calc.py)"),
        "missing repo": (["--repo", str(tmp_path / "nowhere"), "--model", scripted], "--repo"),
        "not a git repo": (["--repo", str(tmp_path), "--model", scripted], "not a git repository"),
        "task file missing": (
            ["--repo", str(git_repo), "--model", scripted, "--task-file", str(tmp_path / "t.md")],
            "cannot read --task-file",
        ),
        "unknown model prefix": (["--repo", str(git_repo), "--model", "foo:bar"], "provider/model"),
        "scripted file missing": (
            ["--repo", str(git_repo), "--model", f"scripted:{tmp_path / 'no.jsonl'}"],
            "no.jsonl",
        ),
        "scripted not JSON": (["--repo", str(git_repo), "--model", f"scripted:{malformed}"], "malformed.jsonl:2"),
        "scripted wrong key": (["--repo", str(git_repo), "--model", f"scripted:{wrong_key}"], "tool_call"),
        "replay file missing": (["--repo", str(git_repo), "--model", f"replay:{tmp_path / 'no.jsonl'}"], "no.jsonl"),
        "override not a number": (
            ["--repo", str(git_repo), "--model", scripted, "-c", "agent.step_limit=abc"],
            "agent.step_limit",
        ),
        "override into a value": (
            ["--repo", str(git_repo), "--model", scripted, "-c", "agent.step_limit.x=1"],
            "not a section",
        ),
        "override of a list": (
            ["--repo", str(git_repo), "--model", scripted, "-c", "agent.diff_exclude=3"],
            "agent.diff_exclude",
        ),
        "override negative": (
            ["--repo", str(git_repo), "--model", scripted, "-c", "agent.cost_limit=-1"],
            "agent.cost_limit",
        ),
        "config file missing": (
            ["--repo", str(git_repo), "--model", scripted, "--config", str(tmp_path / "c.yaml")],
            "c.yaml",
        ),
        "unknown tool": (["--repo", str(git_repo), "--model", scripted, "--tools", "bash,nope"], "unknown tool 'nope'"),
        "empty task": (["--repo", str(git_repo), "--model", scripted, "--task", "  "], "task text is empty"),
        "run id with a slash": (["--repo", str(git_repo), "--model", scripted, "--run-id", "../x"], "--run-id"),
        # an unset $RUN_ID: refused, not silently replaced by a generated id
        # several --config files merge in order (as in the runner); a bad key names its own file
        "bad key in the second config file": (
            ["--repo", str(git_repo), "--model", scripted, "--config", str(good), "--config", str(misspelt)],
            "unknown key 'agent.stepp_limit' (in " + str(misspelt),
        ),
        "empty tool list": (["--repo", str(git_repo), "--model", scripted, "--tools", ""], "no tool names given"),
        "unknown flag": (["--repo", str(git_repo), "--model", scripted, "--bogus"], "unrecognized arguments: --bogus"),
        "empty run id": (["--repo", str(git_repo), "--model", scripted, "--run-id", ""], "--run-id ''"),
        "task file not UTF-8": (["--repo", str(git_repo), "--model", scripted, "--task-file", str(latin1)], "UTF-8"),
        "config not UTF-8": (["--repo", str(git_repo), "--model", scripted, "--config", str(latin1)], "UTF-8"),
        "scripted not UTF-8": (["--repo", str(git_repo), "--model", f"scripted:{latin1}"], "UTF-8"),
        "replay of a non-trajectory": (
            ["--repo", str(git_repo), "--model", f"replay:{replies}"],
            "needs a trajectory file",
        ),
    }


def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(git_repo: Path, tmp_path: Path) -> None:
    cases = bad_input_cases(git_repo, tmp_path)
    for name, (args, expected) in cases.items():
        out = tmp_path / f"out-{name.replace(' ', '-')}"
        if "--task" not in args and "--task-file" not in args:
            args = [*args, "--task", "fix it"]
        proc = subprocess.run(
            [sys.executable, "-m", "agent", "run", *args, "--sandbox", "local", "--output", str(out)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, (name, proc.stderr)
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], (name, proc.stderr)
        assert proc.stdout == "" and not out.exists(), name


def test_allow_dirty_starts_from_the_uncommitted_changes(git_repo: Path, tmp_path: Path) -> None:
    from agent.runner import RunOptions, run_single

    (git_repo / "notes.txt").write_text("mine\n")
    replies = write_replies(tmp_path / "r.jsonl", [bash("c1", FIX_COMMAND), submit()])
    outcome = run_single(
        RunOptions(
            repo=git_repo,
            task="t",
            model=f"scripted:{replies}",
            sandbox="local",
            allow_dirty=True,
            output=tmp_path / "o",
        )
    )
    assert outcome.result.exit_status == "submitted"
    assert "+mine" in outcome.result.submission and "+    return a + b" in outcome.result.submission


def test_an_output_that_is_a_file_is_a_usage_error(git_repo: Path, tmp_path: Path) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [submit()])
    taken = tmp_path / "taken"
    taken.write_text("")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            f"scripted:{replies}",
            "--sandbox",
            "local",
            "--output",
            str(taken),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        f"error: --output {taken}: {taken} is a file, not a folder"
    ]
    below = taken / "runs"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "t",
            "--model",
            f"scripted:{replies}",
            "--sandbox",
            "local",
            "--output",
            str(below),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr.strip() == f"error: --output {below}: {taken} is a file, not a folder"


def test_several_config_files_merge_in_order_then_overrides(git_repo: Path, tmp_path: Path) -> None:
    """`agent run --config a --config b -c k=v` merges like the runner: b over a, key by key."""
    from agent.runner import RunOptions, run_single
    from trajectories.reader import load

    first = tmp_path / "first.yaml"
    first.write_text("agent:\n  step_limit: 7\n  cost_limit: 1.5\nmodel:\n  kwargs: {top_p: 0.5}\n")
    second = tmp_path / "second.yaml"
    second.write_text("agent:\n  step_limit: 9\nmodel:\n  temperature: 0.2\n")
    replies = write_replies(tmp_path / "r.jsonl", [submit()])
    outcome = run_single(
        RunOptions(
            repo=git_repo,
            task="t",
            model=f"scripted:{replies}",
            sandbox="local",
            config=[first, second],
            overrides=["agent.cost_limit=2.5"],
            output=tmp_path / "o",
        )
    )
    config = load(outcome.trajectory_path).run_start.config
    assert config["agent"]["step_limit"] == 9 and config["agent"]["cost_limit"] == 2.5
    assert config["model"]["kwargs"] == {"top_p": 0.5} and config["model"]["temperature"] == 0.2
