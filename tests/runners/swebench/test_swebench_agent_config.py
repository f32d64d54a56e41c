"""Agent config for the runner: --config files merged in order, then -c overrides; tools from the config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runners.swebench.agent_phase import make_agent_phase
from runners.swebench.errors import RunnerError

ROOT = Path(__file__).resolve().parents[3]
PLUGIN = '''from tools import tool


@tool
def shout(text: str) -> str:
    """Repeat text loudly.

    Args:
        text: what to repeat
    """
    return text.upper()
'''


def _phase(tmp_path, files=(), overrides=(), plugins=(), tools=None):
    return make_agent_phase(
        "oracle", config_files=[str(f) for f in files], overrides=list(overrides), plugins=list(plugins), tools=tools
    )


def test_config_files_merge_in_order_then_overrides(tmp_path):
    first = tmp_path / "first.yaml"
    first.write_text("agent:\n  step_limit: 7\n  cost_limit: 1.5\nmodel:\n  kwargs: {top_p: 0.5}\n")
    second = tmp_path / "second.yaml"
    second.write_text('agent:\n  step_limit: 9\nmodel:\n  temperature: 0.2\n  name: "a: b"\n')
    config = _phase(tmp_path, [first, second]).config
    assert (config.agent.step_limit, config.agent.cost_limit) == (9, 1.5)  # a later file wins key by key
    assert config.model.kwargs == {"top_p": 0.5} and config.model.temperature == 0.2 and config.model.name == "a: b"
    config = _phase(tmp_path, [second, first], ["agent.step_limit=3"]).config
    assert config.agent.step_limit == 3 and config.model.temperature == 0.2
    dated = tmp_path / "dated.yaml"
    dated.write_text("model:\n  kwargs: {user: 2024-01-01}\n")  # YAML reads a date; it is passed on as its text
    assert str(_phase(tmp_path, [first, dated]).config.model.kwargs["user"]) == "2024-01-01"


def test_a_bad_key_names_the_file_it_came_from(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("agent:\n  step_limit: 5\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("agent:\n  step_limt: 5\n")
    with pytest.raises(RunnerError, match=r"step_limt.*bad\.yaml.*did you mean"):
        _phase(tmp_path, [good, bad])
    with pytest.raises(RunnerError, match="cannot read config file"):
        _phase(tmp_path, [good, tmp_path / "missing.yaml"])


def test_plugins_from_the_config_and_the_flag_reach_the_registry(tmp_path, monkeypatch):
    (tmp_path / "shout_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    plain = _phase(tmp_path)._registry()
    assert "shout" not in plain.names()
    by_flag = _phase(tmp_path, plugins=[str(tmp_path / "shout_plugin.py")])._registry()
    by_config = _phase(tmp_path, overrides=["tools.plugins=[shout_plugin]"])._registry()
    assert "shout" in by_flag.names() and "shout" in by_config.names()


def test_tools_names_and_the_tools_flag_decide_what_the_agent_sees(tmp_path):
    assert _phase(tmp_path, overrides=["tools.names=[submit, bash]"])._registry().names() == ["submit", "bash"]
    phase = _phase(tmp_path, overrides=["tools.names=[submit]"], tools=["bash", "submit"])
    assert phase._registry().names() == ["bash", "submit"]  # --tools wins over the config, like agent run
    assert phase.config.tools.names == ["bash", "submit"]  # recorded in each trajectory's run_start
    (tmp_path / "shout_plugin.py").write_text(PLUGIN)
    phase = _phase(tmp_path, plugins=[str(tmp_path / "shout_plugin.py")], tools=["shout", "submit"])
    assert phase._registry().names() == ["shout", "submit"]
    assert phase.config.tools.plugins == [str(tmp_path / "shout_plugin.py")]
    with pytest.raises(RunnerError, match="no_such_tool"):
        _phase(tmp_path, tools=["bash", "no_such_tool"])


@pytest.mark.docker
def test_the_agent_of_a_run_sees_only_the_selected_tools(docker_ready, tmp_path):
    out = tmp_path / "o"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "runners.swebench",
            "--dataset",
            "minibench",
            "--model",
            "oracle",
            "--n",
            "1",
            "-c",
            "tools.names=[bash, submit]",
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "report.json").read_text())["resolved_instances"] == 1  # the oracle used bash only
    (trajectory,) = out.glob("*/trajectory.jsonl")
    events = [json.loads(line) for line in trajectory.read_text().splitlines()]
    start = events[0]
    assert [t["function"]["name"] for t in start["tools"]] == ["bash", "submit"]
    assert start["config"]["tools"]["names"] == ["bash", "submit"]
    assert {e["name"] for e in events if e["type"] == "tool_call"} == {"bash", "submit"}


def test_dash_c_takes_only_key_value(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("agent:\n  step_limit: 5\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "runners.swebench",
            "--model",
            "oracle",
            "-c",
            str(cfg),
            "--output",
            str(tmp_path / "o"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--config FILE" in proc.stderr
    assert not (tmp_path / "o").exists()
