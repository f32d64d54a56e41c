"""Model backends by prefix, registered through the ``register_models`` hook: the
built-ins, a third-party backend, and the ``human`` model (one module plus a hook)."""

from __future__ import annotations

import io
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from helpers.agent import FIX_COMMAND, git, run

from agent.config import ModelConfig
from agent.models import ModelReply, ModelSpecError, make_model
from agent.models.base import NO_CONTEXT, CallContext
from agent.models.factory import choose, model_backends
from agent.models.human import HumanModel
from patchloop import hookimpl
from patchloop.plugins import plugin_manager

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_builtins_register_through_the_hook_and_nothing_without_them() -> None:
    assert model_backends(plugin_manager(entry_points=False)).names() == ["human", "litellm", "replay", "scripted"]
    bare = plugin_manager(defaults=False, entry_points=False)
    assert len(model_backends(bare)) == 0
    with pytest.raises(ModelSpecError, match=r"unknown model backend 'scripted' \(registered: none\)"):
        make_model("scripted:x.jsonl", ModelConfig(), manager=bare)


@pytest.mark.parametrize(
    ("spec", "backend", "rest"),
    [
        ("scripted:runs/r.jsonl", "scripted", "runs/r.jsonl"),
        ("replay:a:b.jsonl", "replay", "a:b.jsonl"),
        ("human", "human", None),
        ("openai/gpt-4o", "litellm", "openai/gpt-4o"),
        ("ollama/llama3:8b", "litellm", "ollama/llama3:8b"),  # a "/" before the colon: litellm's
        ("gpt-4o-mini", "litellm", "gpt-4o-mini"),
        ("ft:gpt-4o-mini:acme::abc123", "litellm", "ft:gpt-4o-mini:acme::abc123"),  # OpenAI fine-tune ids
        ("litellm:openai/x", "litellm", "openai/x"),
        (None, "litellm", None),
    ],
)
def test_a_backend_is_chosen_by_its_prefix(spec: str | None, backend: str, rest: str | None) -> None:
    chosen, remainder = choose(spec, model_backends(plugin_manager(entry_points=False)))
    assert (chosen.prefix, remainder) == (backend, rest)


def test_an_unknown_prefix_is_one_line_listing_the_registered_ones() -> None:
    with pytest.raises(ModelSpecError) as info:
        make_model("foo:bar", ModelConfig())
    message = str(info.value)
    assert "\n" not in message and "unknown model backend 'foo'" in message
    assert "registered: human, litellm, replay, scripted" in message and "provider/model" in message


class EchoModel:
    kind = "echo"
    mode = "tools"

    def __init__(self, text: str) -> None:
        self.name = f"echo:{text}"
        self.params = {"text": text}

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        call = {"id": "e1", "type": "function", "function": {"name": "submit", "arguments": "{}"}}
        return ModelReply(message={"role": "assistant", "content": self.name, "tool_calls": [call]}, cost_usd=0.0)


class EchoBackend:
    prefix = "echo"
    bare = False

    def make(self, rest: str | None, config: ModelConfig, *, on_retry: Any = None) -> EchoModel:
        return EchoModel(rest or "")


def test_a_third_party_backend_is_one_module_plus_a_hook(git_repo: Path) -> None:
    @hookimpl
    def register_models(register: Any) -> None:
        register(EchoBackend())

    plugin = types.SimpleNamespace(__name__="echo_plugin", register_models=register_models)
    manager = plugin_manager(entry_points=False, extra=[plugin])
    model = make_model("echo:hello", ModelConfig(), manager=manager)
    result, recorder = run(git_repo, [], model=model)
    assert result.exit_status == "submitted"
    assert recorder.events[0].model.model_dump() == {"name": "echo:hello", "kind": "echo", "params": {"text": "hello"}}


# ----------------------------------------------------------------------------- human


def test_the_human_types_commands_and_submits(git_repo: Path) -> None:
    typed = f"{FIX_COMMAND} && \\\necho fixed\n\n/nope\n/tool bash {{not json\n/submit\n"
    shown = io.StringIO()
    model = HumanModel(input=io.StringIO(typed), output=shown)
    result, recorder = run(git_repo, [], model=model)
    assert result.exit_status == "submitted" and "+    return a + b" in result.submission
    calls = [e for e in recorder.events if e.type == "tool_call"]
    assert calls[0].arguments == {"command": f"{FIX_COMMAND} && \necho fixed"} and calls[1].name == "submit"
    screen = shown.getvalue()
    assert "make add() add" in screen and "fixed" in screen  # the task, then the observation
    assert "unknown command '/nope'" in screen and "not JSON" in screen
    assert recorder.events[0].model.kind == "human"


def test_the_end_of_the_input_ends_the_run_interrupted(git_repo: Path) -> None:
    model = HumanModel(input=io.StringIO("ls\n"), output=io.StringIO())
    result, recorder = run(git_repo, [], model=model)
    assert result.exit_status == "interrupted" and "end of input" in result.reason
    assert recorder.events[-1].type == "run_end"


def test_agent_run_with_the_human_model_reads_stdin(git_repo: Path, tmp_path: Path) -> None:
    """A real `python -m agent run --model human`, its stdin a pipe."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "run",
            "--repo",
            str(git_repo),
            "--task",
            "make add() add",
            "--model",
            "human",
            "--sandbox",
            "local",
            "--output",
            str(tmp_path / "out"),
            "-q",
        ],
        input=f"cat calc.py\n{FIX_COMMAND}\n/submit\n",
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "exit status: submitted" in proc.stdout and "+    return a + b" in proc.stdout
    assert "return a - b" in proc.stderr  # the human was shown the observation of `cat calc.py`
    assert git(git_repo, "status", "--porcelain") == ""  # a scratch copy was edited, not the repository
