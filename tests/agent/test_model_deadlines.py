"""The model layer's retry and deadline policy, through the real litellm path, against
servers on 127.0.0.1 that hang, trickle, fail the same way forever or hang up. Each case
measures the time to stop (printed; run with -s to see them) and proves that an abandoned
call's connection is closed: the server sees the client leave."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.http_faults import FaultServer

from agent.config import AgentConfig, ModelConfig, RetryConfig
from agent.loop import Agent
from agent.models.base import CallContext, ModelCallError
from agent.models.litellm_model import LiteLLMModel
from agent.models.retry import Failure
from agent.task import Task
from patchloop.cancel import Cancel, Cancelled
from sandbox.local import LocalSandbox
from tools.registry import ToolRegistry
from trajectories.recorder import MemoryRecorder

USER = [{"role": "user", "content": "hi"}]
TOOLS = [{"type": "function", "function": {"name": "bash", "parameters": {"type": "object", "properties": {}}}}]


@pytest.fixture
def fault() -> Iterator[Callable[..., FaultServer]]:
    servers: list[FaultServer] = []

    def start(behaviour: str, **kwargs: float) -> FaultServer:
        servers.append(FaultServer(behaviour, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def make(
    server: FaultServer,
    *,
    name: str = "openai/x",
    timeout_s: float = 2.0,
    call_timeout_s: float = 600.0,
    attempts: int = 6,
    **kwargs,
) -> LiteLLMModel:
    api_base = server.api_base if name.startswith(("openai/", "hosted_vllm/")) else server.base
    retry = RetryConfig(max_attempts=attempts, backoff_initial_s=0.05, backoff_max_s=0.2)
    config = ModelConfig(name=name, api_base=api_base, timeout_s=timeout_s, call_timeout_s=call_timeout_s, retry=retry)
    return LiteLLMModel(config, **kwargs)


def stop_time(case: str, seconds: float) -> None:
    print(f"\nstop time, {case}: {seconds:.2f} s")


def test_a_hanging_server_is_bounded_by_the_call_deadline(fault) -> None:
    server = fault("hang")
    model = make(server, timeout_s=1.0, call_timeout_s=4.0)
    started = time.monotonic()
    with pytest.raises(ModelCallError) as info:
        model.query(USER, TOOLS)
    elapsed = time.monotonic() - started
    stop_time("hanging server, timeout_s=1, call_timeout_s=4", elapsed)
    assert 3.5 <= elapsed < 6.0
    assert info.value.retryable and "deadline" in str(info.value)
    assert len(server.requests) >= 3
    time.sleep(0.3)
    assert len(server.closed) == len(server.requests)  # every attempt's connection was closed


def test_a_trickling_server_is_cut_at_the_attempt_deadline(fault) -> None:
    """One byte per second never trips a per-read timeout: only a wall-clock deadline ends it."""
    server = fault("trickle")
    failures: list = []
    model = make(server, timeout_s=2.0, call_timeout_s=5.0, on_retry=failures.append)
    started = time.monotonic()
    with pytest.raises(ModelCallError) as info:
        model.query(USER, TOOLS)
    elapsed = time.monotonic() - started
    stop_time("server trickling 1 byte/s, timeout_s=2, call_timeout_s=5", elapsed)
    assert elapsed < 5.0 + 2.0
    assert failures[0].error_type == "patchloop.AttemptTimeout"
    first_close = server.closed_after(started)
    assert first_close is not None and 2.0 <= first_close < 4.0  # cut at timeout_s (+1 s grace), connection closed
    assert info.value.retryable


def test_the_same_500_again_is_not_retried(fault) -> None:
    """llama.cpp's deterministic 500 was retried six times as if transient."""
    server = fault("same_500")
    model = make(server, attempts=6)
    started = time.monotonic()
    with pytest.raises(ModelCallError) as info:
        model.query(USER, TOOLS)
    elapsed = time.monotonic() - started
    stop_time("the same HTTP 500 forever, max_attempts=6", elapsed)
    assert len(server.requests) == 2
    assert "same failure" in str(info.value) and info.value.attempts == 2 and info.value.retryable
    assert elapsed < 3.0


def test_a_server_that_hangs_up_is_retried_to_the_attempt_limit(fault) -> None:
    server = fault("close")
    failures: list = []
    model = make(server, attempts=4, on_retry=failures.append)
    started = time.monotonic()
    with pytest.raises(ModelCallError) as info:
        model.query(USER, TOOLS)
    elapsed = time.monotonic() - started
    stop_time("server closing the connection, max_attempts=4", elapsed)
    assert len(server.requests) == 4 and info.value.attempts == 4
    assert "retries exhausted" in str(info.value) and "Connection error" in failures[-1].message
    assert elapsed < 3.0


@pytest.mark.parametrize("behaviour", ["hang", "trickle"])
@pytest.mark.parametrize("name", ["openai/x", "anthropic/claude-3-5-sonnet-latest", "hosted_vllm/x"])
def test_a_cancel_cuts_a_call_within_a_second_and_closes_its_connection(fault, behaviour: str, name: str) -> None:
    server = fault(behaviour, trickle_s=0.5)
    model, cancel = make(server, name=name, timeout_s=60.0), Cancel()
    timer = threading.Timer(1.0, cancel.cancel, args=("test cancel",))
    started = time.monotonic()
    timer.start()
    with pytest.raises(Cancelled, match="test cancel"):
        model.query(USER, TOOLS, CallContext(cancel=cancel))
    stopped = time.monotonic() - started
    closed = server.closed_after(started + 1.0)
    stop_time(f"cancel after 1 s of a {behaviour} call to {name}: returned after", stopped)
    assert stopped < 1.0 + 0.5
    assert closed is not None and closed < 0.5  # the server saw the connection closed right after the cancel


def run_agent(git_repo: Path, model: LiteLLMModel, cancel: Cancel | None = None, **limits) -> tuple:
    recorder = MemoryRecorder()
    config = AgentConfig(cost_limit=None, **limits)
    with LocalSandbox(git_repo) as sandbox:
        agent = Agent(model, ToolRegistry.with_builtins(), sandbox, config, recorder, run_id="t")
        started = time.monotonic()
        result = agent.run(Task(text="fix it"), cancel=cancel)
    return result, recorder, time.monotonic() - started


@pytest.mark.parametrize(("status", "expected"), [("interrupted", "interrupted"), ("time_limit", "time_limit")])
def test_a_cancelled_run_ends_within_seconds_with_run_end(fault, git_repo: Path, status: str, expected: str) -> None:
    server = fault("hang")
    cancel = Cancel()
    threading.Timer(
        1.0,
        cancel.cancel,
        args=("instance timeout" if status == "time_limit" else "SIGTERM",),
        kwargs={"status": status},
    ).start()
    result, recorder, elapsed = run_agent(git_repo, make(server, timeout_s=100.0), cancel)
    stop_time(f"Agent.run cancelled ({status}) during a hanging call", elapsed)
    assert result.exit_status == expected and elapsed < 3.0
    assert recorder.events[-1].type == "run_end" and recorder.events[-1].exit_status == expected
    assert server.closed_after(0) is not None


def test_the_run_time_limit_cuts_a_hanging_call(fault, git_repo: Path) -> None:
    server = fault("hang")
    result, _recorder, elapsed = run_agent(git_repo, make(server, timeout_s=100.0), time_limit_s=2.0)
    stop_time("agent.time_limit_s=2 during a hanging call", elapsed)
    assert result.exit_status == "time_limit" and "agent.time_limit_s" in result.reason
    assert elapsed < 4.5


def test_the_default_output_limit_is_sent_and_recorded(fault, git_repo: Path) -> None:
    server = fault("ok")
    _result, recorder, _ = run_agent(git_repo, make(server), step_limit=1)
    assert server.bodies[0]["max_tokens"] == 4096
    assert recorder.events[0].model.params["max_tokens"] == 4096
    server = fault("ok")
    config = ModelConfig(name="openai/x", api_base=server.api_base, max_tokens=None)
    LiteLLMModel(config).query(USER, TOOLS)
    assert "max_tokens" not in server.bodies[0]


def test_the_backoff_seam_is_told_of_every_attempt(fault) -> None:
    """Where a backoff shared by the workers of a run (rate limits) plugs in."""

    class Recording:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def before_attempt(self, context: CallContext) -> None:
            self.seen.append("attempt")

        def after_failure(self, failure: Failure) -> None:
            self.seen.append(f"failed {failure.status}")

    server = fault("same_500")
    backoff = Recording()
    with pytest.raises(ModelCallError):
        make(server, backoff=backoff).query(USER, TOOLS)
    assert backoff.seen == ["attempt", "failed 500", "attempt", "failed 500"]


def test_an_instance_timeout_that_closes_the_sandbox_mid_command_ends_time_limit(git_repo: Path) -> None:
    """The runner's instance timer cancels the run and closes its sandbox while a command
    runs: the run ends as the cancel says, not as a sandbox_error. (How soon the command
    ends is the sandbox's: LocalSandbox.close() waits for it, hence a short one here.)"""
    from helpers.agent import bash, submit

    from agent.models.scripted import ScriptedModel

    cancel = Cancel()
    recorder = MemoryRecorder()
    with LocalSandbox(git_repo) as sandbox:

        def instance_timeout() -> None:
            cancel.cancel("instance timeout (25 s)", status="time_limit")
            sandbox.close()

        threading.Timer(0.5, instance_timeout).start()
        model = ScriptedModel([bash("c1", "sleep 2"), submit()])
        agent = Agent(model, ToolRegistry.with_builtins(), sandbox, AgentConfig(cost_limit=None), recorder)
        started = time.monotonic()
        result = agent.run(Task(text="t"), cancel=cancel)
    elapsed = time.monotonic() - started
    assert result.exit_status == "time_limit" and "instance timeout" in result.reason
    assert elapsed < 10.0 and recorder.events[-1].type == "run_end"
