"""Tool selection (issue 2): the config's `tools` section, `--tools` and `--plugin` decide
which tools the model is offered; the selection is recorded and replayed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.agent import call, submit, write_replies

from agent.config import ToolsConfig, load_config
from agent.loop import Agent
from agent.models.base import NO_CONTEXT, CallContext
from agent.models.scripted import ScriptedModel
from agent.replay import replay_execute, replay_offline
from agent.runner import RunOptions, UsageError, make_registry, run_single
from agent.task import Task
from sandbox.local import LocalSandbox
from trajectories.reader import load
from trajectories.recorder import MemoryRecorder

REPO_ROOT = Path(__file__).resolve().parents[2]
SHOUT = (
    "from tools import tool\n\n__version__ = '1.2'\n\n\n@tool\ndef shout(text: str) -> str:\n"
    '    """Upper-case a text."""\n    return text.upper()\n'
)


class SeeingModel(ScriptedModel):
    """A scripted model that keeps the tool names of every request it was sent."""

    def __init__(self, replies: list[dict]) -> None:
        super().__init__(replies)
        self.seen: list[list[str]] = []

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT):
        self.seen.append([t["function"]["name"] for t in tools])
        return super().query(messages, tools, context)


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    path = tmp_path / "shout_tools.py"
    path.write_text(SHOUT)
    return path


def shout(call_id: str, text: str) -> dict:
    return {"role": "assistant", "content": None, "tool_calls": [call(call_id, "shout", {"text": text})]}


def test_a_file_plugin_tool_is_in_the_schemas_sent_to_the_model(git_repo: Path, plugin: Path) -> None:
    registry = make_registry(ToolsConfig(names=["shout", "submit"], entry_points=False), [str(plugin)])
    model = SeeingModel([shout("c1", "hi"), submit()])
    recorder = MemoryRecorder()
    with LocalSandbox(git_repo) as sandbox:
        result = Agent(model, registry, sandbox, load_config().agent, recorder, run_id="t").run(Task(text="t"))
    assert result.exit_status == "submitted"
    assert model.seen == [["shout", "submit"], ["shout", "submit"]]
    assert next(e.content for e in recorder.events if e.type == "tool_result") == "HI"


def test_no_selection_keeps_every_tool_and_plugins_come_after_the_builtins(plugin: Path) -> None:
    names = make_registry(ToolsConfig(entry_points=False), [str(plugin)]).names()
    assert names[-1] == "shout" and {"bash", "str_replace_editor", "search", "submit"} <= set(names)


def test_an_unknown_tool_name_is_a_usage_error_listing_the_known_ones() -> None:
    with pytest.raises(UsageError) as caught:
        make_registry(ToolsConfig(names=["bash", "shuot"], entry_points=False))
    message = str(caught.value)
    assert "unknown tool 'shuot'" in message and "bash, str_replace_editor, search, submit" in message


def test_with_tool_selection_validates_what_it_folds_in() -> None:
    from agent.config import ConfigError
    from agent.runner import with_tool_selection

    config = with_tool_selection(load_config(), ["pkg.mod", "/x/b.py", "pkg.mod", "rel.py"], ["bash"])
    assert config.tools.plugins == ["pkg.mod", "/x/b.py", str(Path("rel.py").absolute())]  # files made absolute
    assert config.tools.names == ["bash"]
    with pytest.raises(ConfigError, match="tools.names: List should have at least 1 item"):
        with_tool_selection(load_config(), [], [])


def test_a_plugin_that_does_not_load_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nowhere.py"):
        make_registry(ToolsConfig(entry_points=False), [str(tmp_path / "nowhere.py")])


def test_run_single_records_the_selection_and_replays_it(git_repo: Path, tmp_path: Path, plugin: Path) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [shout("c1", "hey"), submit()])
    out = tmp_path / "out"
    outcome = run_single(
        RunOptions(
            repo=git_repo,
            task="t",
            model=f"scripted:{replies}",
            sandbox="local",
            plugins=[str(plugin)],
            tools=["shout", "submit"],
            output=out,
            run_id="sel",
            overrides=["tools.entry_points=false"],
        )
    )
    assert outcome.result.exit_status == "submitted"
    start = load(outcome.trajectory_path).run_start
    assert [t["function"]["name"] for t in start.tools] == ["shout", "submit"]
    assert start.config["tools"] == {"names": ["shout", "submit"], "plugins": [str(plugin)], "entry_points": False}
    assert [(p.name, p.version) for p in start.plugins] == [("shout_tools", "1.2")]

    assert replay_offline(outcome.trajectory_path).identical
    executed = replay_execute(outcome.trajectory_path, repo=git_repo, output=tmp_path / "exec.jsonl")
    assert executed.observations == [] and executed.patch_matches, executed.summary()
    assert [t["function"]["name"] for t in load(tmp_path / "exec.jsonl").run_start.tools] == ["shout", "submit"]


def test_replay_of_a_plugin_run_names_the_missing_plugin(git_repo: Path, tmp_path: Path, plugin: Path) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [shout("c1", "hey"), submit()])
    outcome = run_single(
        RunOptions(
            repo=git_repo,
            task="t",
            model=f"scripted:{replies}",
            sandbox="local",
            plugins=[str(plugin)],
            output=tmp_path / "out",
            run_id="gone",
        )
    )
    plugin.unlink()
    offline = replay_offline(outcome.trajectory_path)
    assert offline.identical and "shout_tools 1.2" in offline.summary()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "trajectories",
            "replay",
            str(outcome.trajectory_path),
            "--execute",
            "--repo",
            str(git_repo),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "shout_tools 1.2" in proc.stderr and str(plugin) in proc.stderr


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agent", "run", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_tools_flag_and_an_unknown_name(git_repo: Path, tmp_path: Path, plugin: Path) -> None:
    replies = write_replies(tmp_path / "r.jsonl", [shout("c1", "x"), submit()])
    out = tmp_path / "out"
    common = [
        "--repo",
        str(git_repo),
        "--task",
        "t",
        "--model",
        f"scripted:{replies}",
        "--sandbox",
        "local",
        "--output",
        str(out),
    ]
    done = run_cli(*common, "--plugin", str(plugin), "--tools", "shout,submit", "--run-id", "ok", "-q")
    assert done.returncode == 0, done.stderr
    first = json.loads((out / "ok.jsonl").read_text().splitlines()[0])
    assert [t["function"]["name"] for t in first["tools"]] == ["shout", "submit"]

    bad = run_cli(*common, "--tools", "bash,shout", "--run-id", "bad", "-c", "tools.entry_points=false")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: tools: unknown tool 'shout'; known tools: bash, str_replace_editor, search, submit"
    ]
    assert not (out / "bad.jsonl").exists() and not (out / "bad.patch").exists()

    from_config = run_cli(*common, "-c", "tools.names=[bash, nope]", "--run-id", "cfg")
    assert from_config.returncode == 2 and "unknown tool 'nope'" in from_config.stderr
    typed = run_cli(*common, "-c", "tools.names=bash", "--run-id", "typed")
    assert typed.returncode == 2 and "tools.names" in typed.stderr
    empty = run_cli(*common, "-c", "tools.names=[]", "--run-id", "empty")
    assert empty.returncode == 2 and "tools.names: List should have at least 1 item" in empty.stderr
