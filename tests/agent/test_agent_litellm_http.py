"""LiteLLMModel over real HTTP: a local OpenAI-compatible server on 127.0.0.1 answers
with failures, and the loop reacts (retries, no retries, compaction)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.agent import FIX_COMMAND, call, completion_body, error_body, run

from agent.config import ModelConfig, RetryConfig
from agent.models import ContextWindowError, ModelCallError
from agent.models.litellm_model import LiteLLMModel

TOOLS = [
    {
        "type": "function",
        "function": {"name": "bash", "parameters": {"type": "object", "properties": {"command": {"type": "string"}}}},
    }
]
USER = [{"role": "user", "content": "hi"}]
OK_MESSAGE = {"content": None, "tool_calls": [call("call_1", "bash", {"command": "ls"})]}
CONTEXT_ERROR = "This model's maximum context length is 4096 tokens. However, your messages resulted in 9000 tokens."


def http_model(server, failures=None, *, timeout_s: float = 5.0, attempts: int = 4) -> LiteLLMModel:
    config = ModelConfig(
        name="openai/x",
        api_base=server.api_base,
        timeout_s=timeout_s,
        retry=RetryConfig(max_attempts=attempts, backoff_initial_s=0.01, backoff_max_s=0.05),
    )
    return LiteLLMModel(config, on_retry=failures.append if failures is not None else None)


def scripted_failures(*first: tuple[int, bytes, float]):
    """Answer the listed failures first, then a tool call."""

    def handler(body: dict, n: int):
        if n <= len(first):
            return first[n - 1]
        return 200, completion_body(OK_MESSAGE), 0

    return handler


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (429, "litellm.RateLimitError"),
        (500, "litellm.InternalServerError"),
        (502, "litellm.BadGatewayError"),
        (503, "litellm.ServiceUnavailableError"),
    ],
)
def test_transient_status_is_retried_then_succeeds(fake_openai, status: int, error_type: str) -> None:
    server = fake_openai(scripted_failures((status, error_body(f"boom {status}"), 0)))
    failures: list = []
    reply = http_model(server, failures).query(USER, TOOLS)
    assert reply.attempts == 2 and len(server.requests) == 2  # no stacked client retries
    assert [f.error_type for f in failures] == [error_type]
    assert reply.message["tool_calls"][0]["function"]["name"] == "bash"
    assert reply.usage.prompt_tokens == 10 and reply.cost_usd is None  # unpriced: null, no crash
    request = server.requests[0]
    assert request["tools"] == TOOLS and request["parallel_tool_calls"] is True


def test_malformed_body_is_retried(fake_openai) -> None:
    server = fake_openai(scripted_failures((200, b'{"id": "x", "choices": [ {"mess', 0)))
    failures: list = []
    reply = http_model(server, failures).query(USER, TOOLS)
    assert reply.attempts == 2 and len(failures) == 1


def test_reply_slower_than_the_timeout_is_retried(fake_openai) -> None:
    server = fake_openai(scripted_failures((200, completion_body(OK_MESSAGE), 2.0)))
    failures: list = []
    reply = http_model(server, failures, timeout_s=0.5).query(USER, TOOLS)
    assert reply.attempts == 2
    assert failures[0].error_type == "litellm.Timeout"


def test_bad_request_is_not_retried(fake_openai) -> None:
    server = fake_openai(scripted_failures((400, error_body("unknown parameter foo"), 0)))
    failures: list = []
    with pytest.raises(ModelCallError) as info:
        http_model(server, failures).query(USER, TOOLS)
    assert info.value.retryable is False and info.value.attempts == 1
    assert len(server.requests) == 1 and failures == []


def test_auth_error_is_not_retried(fake_openai) -> None:
    server = fake_openai(scripted_failures((401, error_body("bad key"), 0)))
    with pytest.raises(ModelCallError, match="AuthenticationError"):
        http_model(server).query(USER, TOOLS)
    assert len(server.requests) == 1


def test_context_overflow_is_not_retried(fake_openai) -> None:
    server = fake_openai(scripted_failures((400, error_body(CONTEXT_ERROR, code="context_length_exceeded"), 0)))
    with pytest.raises(ContextWindowError):
        http_model(server).query(USER, TOOLS)
    assert len(server.requests) == 1


def test_no_hosted_key_is_sent_to_a_custom_api_base(fake_openai, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-hosted-key-must-stay-home-0123456789")
    seen: list[str] = []

    def handler(body, n):
        return 200, completion_body(OK_MESSAGE), 0

    server = fake_openai(handler)
    original = server.server.RequestHandlerClass.do_POST

    def capture(self):
        seen.append(self.headers.get("authorization", ""))
        original(self)

    server.server.RequestHandlerClass.do_POST = capture
    http_model(server).query(USER, TOOLS)
    assert seen and "sk-hosted" not in seen[0]


# ------------------------------------------------------------------ through the loop


def _request_chars(body: dict) -> int:
    return sum(len(m.get("content") or "") for m in body["messages"])


def test_context_overflow_compacts_old_observations_and_goes_on(fake_openai, git_repo: Path) -> None:
    """The server refuses requests over 6000 chars: the loop elides older outputs and goes on."""
    replies = [
        call("c1", "bash", {"command": "seq 1 2000"}),  # ~8.9k chars of output
        call("c2", "bash", {"command": FIX_COMMAND}),
        call("c3", "submit", {}),
    ]

    def handler(body, n):
        if _request_chars(body) > 6000:
            return 400, error_body(CONTEXT_ERROR, code="context_length_exceeded"), 0
        step = sum(1 for m in body["messages"] if m["role"] == "assistant")
        return 200, completion_body({"content": None, "tool_calls": [replies[step]]}), 0

    server = fake_openai(handler)
    result, recorder = run(git_repo, [], model=http_model(server), cost_limit=None)
    assert result.exit_status == "submitted", result.reason
    assert "+    return a + b" in result.submission
    (context,) = [e for e in recorder.events if e.type == "context"]
    assert context.compacted == [3] and context.chars_after < 6000 < context.chars_before
    errors = [e for e in recorder.events if e.type == "error" and e.where == "model"]
    assert errors[0].error_type == "ContextWindowError" and errors[0].retryable is False
    # The recorded observation stays whole; only what was sent was compacted.
    first_output = next(e for e in recorder.events if e.type == "tool_result").content
    assert "1999\n2000" in first_output
    assert json.dumps(server.requests[-1]).count("output elided") == 1


def test_context_overflow_that_compaction_cannot_fix_ends_context_window(fake_openai, git_repo: Path) -> None:
    server = fake_openai(lambda body, n: (400, error_body(CONTEXT_ERROR, code="context_length_exceeded"), 0))
    result, recorder = run(git_repo, [], model=http_model(server), cost_limit=None)
    assert result.exit_status == "context_window"
    assert "context window" in result.reason and result.steps == 1
    assert recorder.events[-1].type == "run_end"


def test_retries_become_error_events_and_exhaustion_ends_model_error(fake_openai, git_repo: Path) -> None:
    server = fake_openai(lambda body, n: (429, error_body("slow down"), 0))
    result, recorder = run(git_repo, [], model=http_model(server, attempts=3), cost_limit=None)
    assert result.exit_status == "model_error"
    assert "retries exhausted" in result.reason and "3 attempt" in result.reason
    errors = [e for e in recorder.events if e.type == "error"]
    assert [(e.attempt, e.retryable) for e in errors] == [(1, True), (2, True), (3, True)]
    assert all(e.error_type == "litellm.RateLimitError" and e.step == 1 for e in errors)
    assert len(server.requests) == 3


def test_bad_request_ends_model_error_after_one_attempt(fake_openai, git_repo: Path) -> None:
    server = fake_openai(lambda body, n: (400, error_body("invalid tools"), 0))
    result, _recorder = run(git_repo, [], model=http_model(server), cost_limit=None)
    assert result.exit_status == "model_error" and "not retryable" in result.reason
    assert len(server.requests) == 1


def test_temperature_and_extra_kwargs_reach_the_server(fake_openai, monkeypatch) -> None:
    monkeypatch.setenv("PATCHLOOP_TEMPERATURE", "0.3")
    server = fake_openai(lambda body, n: (200, completion_body(OK_MESSAGE), 0))
    config = ModelConfig(name="openai/served-name", api_base=server.api_base, max_tokens=77, kwargs={"seed": 5})
    LiteLLMModel(config).query(USER, TOOLS)
    request = server.requests[0]
    assert request["model"] == "served-name" and request["temperature"] == 0.3
    assert request["max_tokens"] == 77 and request["seed"] == 5


def test_text_mode_end_to_end_without_function_calling(fake_openai, git_repo: Path) -> None:
    """A server that knows nothing of tools: actions come from fenced bash blocks."""
    answers = [f"Fixing it.\n```bash\n{FIX_COMMAND}\n```", "Done.\n```bash\nsubmit\n```"]

    def handler(body, n):
        assert "tools" not in body and all(m["role"] != "tool" for m in body["messages"])
        return 200, completion_body({"content": answers[n - 1]}), 0

    server = fake_openai(handler)
    config = ModelConfig(name="openai/x", api_base=server.api_base, mode="text")
    result, _recorder = run(git_repo, [], model=LiteLLMModel(config), cost_limit=None)
    assert result.exit_status == "submitted" and "+    return a + b" in result.submission
    assert "<observation>" in server.requests[1]["messages"][-1]["content"]
    system = server.requests[0]["messages"][0]["content"]
    assert "```bash" in system  # the text-mode system prompt explains the format
