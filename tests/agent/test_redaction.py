"""What is sent to a model is redacted with the trajectory's own rule, so a secret never
reaches the model server and a run with a secret in it still verifies and replays."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.agent import bash, call, completion_body, git, submit

from agent.config import AgentConfig
from agent.loop import Agent
from agent.models.scripted import ScriptedModel
from agent.replay import replay_offline
from agent.runner import RunOptions, run_single
from agent.task import Task
from sandbox.local import LocalSandbox
from tools.registry import ToolRegistry
from trajectories.checks import check_links
from trajectories.reader import load
from trajectories.redact import Redactor
from trajectories.writer import TrajectoryWriter

SECRET = "s3cr3t-service-value-0123456789"


def serving(replies: list[dict]):
    def handler(body: dict, n: int):
        message = replies[min(n, len(replies)) - 1]
        return 200, completion_body({"content": message.get("content"), "tool_calls": message["tool_calls"]}), 0

    return handler


def test_a_secret_in_the_task_and_in_an_output_never_reaches_the_model(
    fake_openai, git_repo: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", SECRET)
    (git_repo / "service.cfg").write_text(f"token = {SECRET}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "a config holding a secret")
    server = fake_openai(serving([bash("c1", "cat service.cfg"), submit()]))
    outcome = run_single(
        RunOptions(
            repo=git_repo,
            task=f"The service fails with token {SECRET}; find out why.",
            model="openai/served",
            sandbox="local",
            overrides=[f"model.api_base={server.api_base}", "agent.cost_limit=null"],
            output=tmp_path / "runs",
            run_id="secret",
        )
    )
    assert outcome.result.exit_status == "submitted"
    sent = json.dumps(server.requests)
    assert len(server.requests) == 2 and SECRET not in sent
    assert sent.count("[REDACTED:MY_SERVICE_TOKEN]") >= 3  # the task, and the output in the second request
    trajectory = load(outcome.trajectory_path)
    assert SECRET not in outcome.trajectory_path.read_text()
    assert check_links(trajectory) == []  # every request hash matches what the file rebuilds
    report = replay_offline(outcome.trajectory_path)
    assert report.identical, report.summary()


def _recorded_with_a_late_redaction(git_repo: Path, tmp_path: Path, v: int) -> Path:
    """A file whose request hashes cover a secret its writer then redacted: what schema v1
    writers did (the loop sent the secret; only the file was redacted)."""
    raw = tmp_path / f"raw-{v}.jsonl"
    with TrajectoryWriter(raw, "old", redact=False) as writer, LocalSandbox(git_repo) as sandbox:
        model = ScriptedModel([bash("c1", "echo hello"), submit()])
        nothing = Redactor({}, {})  # nothing redacted before sending: the old behaviour
        agent = Agent(
            model, ToolRegistry.with_builtins(), sandbox, AgentConfig(cost_limit=None), writer, redactor=nothing
        )
        agent.run(Task(text=f"use {SECRET}"))
    lines = []
    for line in raw.read_text().splitlines():
        event = json.loads(line.replace(SECRET, "[REDACTED:MY_SERVICE_TOKEN]"))
        event["v"] = v
        lines.append(json.dumps(event))
    path = tmp_path / f"v{v}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_old_trajectories_with_a_late_redaction_keep_verifying(git_repo: Path, tmp_path: Path) -> None:
    """Schema v1 hashed before redacting: its mismatching hashes are notes, and an offline
    replay of it is identical (the hashes it cannot check are named). From v2 on the same
    mismatch is an error."""
    old = _recorded_with_a_late_redaction(git_repo, tmp_path, 1)
    problems = check_links(load(old))
    assert problems and all(not p.fatal and "schema v1" in p.reason for p in problems)
    report = replay_offline(old)
    assert report.identical, report.summary()
    assert any("schema v1 recording" in note for note in report.notes)

    new = _recorded_with_a_late_redaction(git_repo, tmp_path, 2)
    problems = check_links(load(new))
    assert problems and all(p.fatal for p in problems)
    assert not replay_offline(new).identical


def test_an_assistant_reply_is_redacted_before_it_is_sent_back(git_repo: Path) -> None:
    """A reply holding a key-shaped string (the model wrote one) goes back to the model as the
    file holds it, so the request hashes still verify."""
    from helpers.agent import run

    from trajectories.recorder import MemoryRecorder

    key = "sk-" + "A" * 40
    reply = {
        "role": "assistant",
        "content": f"I will use {key}",
        "tool_calls": [call("c1", "bash", {"command": "true"})],
    }
    recorder = MemoryRecorder(redact=False)
    result, _ = run(git_repo, [reply, submit()], recorder=recorder)
    assert result.exit_status == "submitted"
    dumped = "\n".join(e.model_dump_json() for e in recorder.events)
    assert key not in dumped and "[REDACTED:OPENAI_STYLE_KEY]" in dumped
