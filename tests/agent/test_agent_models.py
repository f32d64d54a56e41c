"""The model layer: ScriptedModel files, LiteLLMModel through litellm's mock responses,
text mode, ReplayModel, make_model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.agent import bash, git, run, submit

from agent.config import ConfigError, ModelConfig, RetryConfig
from agent.models import ContextWindowError, ModelCallError, ModelError, ScriptedModel, make_model
from agent.models.litellm_model import LiteLLMModel
from agent.models.replay import ReplayModel
from agent.models.text_mode import actions_from_text, to_text_messages

TOOLS = [
    {
        "type": "function",
        "function": {"name": "bash", "parameters": {"type": "object", "properties": {"command": {"type": "string"}}}},
    }
]
USER = [{"role": "user", "content": "hi"}]


def model(name: str = "openai/x", *, attempts: int = 3, failures=None, **kwargs) -> LiteLLMModel:
    config = ModelConfig(
        name=name, retry=RetryConfig(max_attempts=attempts, backoff_initial_s=0.01, backoff_max_s=0.02), **kwargs
    )
    return LiteLLMModel(config, on_retry=failures.append if failures is not None else None, sleep=lambda s: None)


# ------------------------------------------------------------------ ScriptedModel


def test_scripted_model_from_jsonl_and_yaml(tmp_path: Path) -> None:
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text("\n".join(json.dumps(m) for m in [bash("c1", "ls"), submit()]) + "\n")
    yaml_file = tmp_path / "r.yaml"
    yaml_file.write_text(
        "- content: look\n  tool_calls:\n    - id: c1\n      type: function\n"
        '      function: {name: bash, arguments: \'{"command": "ls"}\'}\n'
        "- tool_calls: [{id: s, function: {name: submit, arguments: {}}}]\n"
    )
    for path in (jsonl, yaml_file):
        scripted = make_model(f"scripted:{path}", ModelConfig())
        first = scripted.query(USER, TOOLS)
        assert first.message["tool_calls"][0]["function"] == {"name": "bash", "arguments": '{"command": "ls"}'}
        assert first.cost_usd == 0.0 and first.attempts == 1
        assert scripted.query(USER, TOOLS).message["tool_calls"][0]["function"]["name"] == "submit"
        with pytest.raises(ModelError, match="no reply left"):
            scripted.query(USER, TOOLS)


def test_scripted_model_rejects_a_malformed_reply(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"content": "x", "tool_call": []}\n')
    with pytest.raises(ModelError, match=r"reply 1 .*tool_call: Extra inputs"):
        ScriptedModel.from_file(path)
    path.write_text("{oops\n")
    with pytest.raises(ModelError, match=r"bad.jsonl:1: not valid JSON"):
        ScriptedModel.from_file(path)
    with pytest.raises(ModelError, match="cannot read"):
        ScriptedModel.from_file(tmp_path / "missing.jsonl")


# ------------------------------------------------------------------ LiteLLMModel via mock_response


def test_mock_reply_with_tool_calls_usage_and_known_cost() -> None:
    tool_call = {"id": "call_1", "type": "function", "function": {"name": "bash", "arguments": '{"command": "ls"}'}}
    m = model("gpt-4o-mini", kwargs={"mock_response": "ok", "mock_tool_calls": [tool_call]})
    reply = m.query(USER, TOOLS)
    assert reply.message["tool_calls"] == [tool_call]
    assert reply.usage.prompt_tokens > 0 and reply.cost_usd is not None and reply.cost_usd > 0
    assert reply.attempts == 1 and m.mode == "tools"


def test_unpriced_model_records_cost_as_none() -> None:
    reply = model("openai/no-such-model-anywhere", kwargs={"mock_response": "hello"}).query(USER, TOOLS)
    assert reply.cost_usd is None and reply.message["content"] == "hello"


def test_configured_prices_are_used_for_an_unpriced_model() -> None:
    m = model("openai/local-x", kwargs={"mock_response": "hi"}, input_cost_per_token=1e-6, output_cost_per_token=2e-6)
    reply = m.query(USER, TOOLS)
    expected = reply.usage.prompt_tokens * 1e-6 + reply.usage.completion_tokens * 2e-6
    assert reply.cost_usd == pytest.approx(expected) and expected > 0


def test_rate_limit_is_retried_until_attempts_run_out() -> None:
    failures: list = []
    m = model(attempts=3, failures=failures, kwargs={"mock_response": "litellm.RateLimitError"})
    with pytest.raises(ModelCallError) as info:
        m.query(USER, TOOLS)
    assert info.value.retryable is True and info.value.attempts == 3
    assert [f.attempt for f in failures] == [1, 2]  # the final failure is raised, not reported
    assert all(f.error_type == "litellm.RateLimitError" for f in failures)
    assert all(0 <= f.wait_s <= 0.02 for f in failures)


def test_internal_server_error_is_retried() -> None:
    failures: list = []
    with pytest.raises(ModelCallError) as info:
        model(attempts=2, failures=failures, kwargs={"mock_response": "litellm.InternalServerError"}).query(USER, TOOLS)
    assert info.value.attempts == 2 and len(failures) == 1


def test_context_window_is_not_retried() -> None:
    failures: list = []
    with pytest.raises(ContextWindowError) as info:
        model(failures=failures, kwargs={"mock_response": "litellm.ContextWindowExceededError"}).query(USER, TOOLS)
    assert info.value.attempts == 1 and failures == []


def test_total_delay_bounds_the_retries() -> None:
    failures: list = []
    config = ModelConfig(
        name="openai/x",
        kwargs={"mock_response": "litellm.RateLimitError"},
        retry=RetryConfig(max_attempts=50, max_total_delay_s=0.3, backoff_initial_s=0.1, backoff_max_s=0.1),
    )
    m = LiteLLMModel(config, on_retry=failures.append)  # real sleeps
    with pytest.raises(ModelCallError) as info:
        m.query(USER, TOOLS)
    assert 1 < info.value.attempts < 50


def test_missing_key_variable_is_a_config_error(monkeypatch) -> None:
    monkeypatch.delenv("PATCHLOOP_TEST_NO_SUCH_KEY", raising=False)
    with pytest.raises(ConfigError, match="PATCHLOOP_TEST_NO_SUCH_KEY"):
        LiteLLMModel(ModelConfig(name="openai/x", api_key_env="PATCHLOOP_TEST_NO_SUCH_KEY"))


def test_model_name_and_api_base_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("PATCHLOOP_MODEL", "openai/from-env")
    monkeypatch.setenv("PATCHLOOP_API_BASE", "http://127.0.0.1:9/v1")
    m = LiteLLMModel(ModelConfig())
    assert m.name == "openai/from-env" and m.params["api_base"] == "http://127.0.0.1:9/v1"
    monkeypatch.delenv("PATCHLOOP_MODEL")
    with pytest.raises(ConfigError, match="no model name"):
        LiteLLMModel(ModelConfig())


def test_params_hold_the_key_variable_name_never_the_key(monkeypatch) -> None:
    monkeypatch.setenv("PATCHLOOP_TEST_KEY", "sk-very-secret-0123456789")
    m = LiteLLMModel(ModelConfig(name="openai/x", api_key_env="PATCHLOOP_TEST_KEY"))
    assert m.params["api_key_env"] == "PATCHLOOP_TEST_KEY"
    assert "sk-very-secret" not in json.dumps(m.params)


# ------------------------------------------------------------------ text mode


def test_actions_from_fenced_bash_blocks() -> None:
    text = "Look:\n```bash\nls -la\n```\nthen\n```sh\ncat a.py\n```\n```python\nnot me\n```\n```bash\nsubmit\n```"
    assert actions_from_text(text) == [
        ("bash", {"command": "ls -la"}),
        ("bash", {"command": "cat a.py"}),
        ("submit", {}),
    ]
    assert actions_from_text("no blocks here") == []


def test_text_mode_maps_blocks_onto_tool_calls_and_sends_plain_text() -> None:
    m = model("openai/x", mode="text", kwargs={"mock_response": "Run it:\n```bash\necho hi\n```"})
    reply = m.query(USER, TOOLS)
    (tool_call,) = reply.message["tool_calls"]
    assert tool_call["function"] == {"name": "bash", "arguments": json.dumps({"command": "echo hi"})}
    wire = to_text_messages(
        [*USER, reply.message, {"role": "tool", "tool_call_id": tool_call["id"], "content": "hi\n"}]
    )
    assert [w["role"] for w in wire] == ["user", "assistant", "user"]
    assert "tool_calls" not in wire[1] and "hi" in wire[2]["content"]


# ------------------------------------------------------------------ ReplayModel


def test_replay_model_serves_recorded_responses(tmp_path: Path, git_repo: Path) -> None:
    from trajectories.writer import TrajectoryWriter

    path = tmp_path / "orig.jsonl"
    with TrajectoryWriter(path, "orig") as writer:
        first, _ = run(
            git_repo, [bash("c1", "ls"), bash("c2", "sed -i 's/a - b/a + b/' calc.py"), submit()], recorder=writer
        )
    git(git_repo, "checkout", "--", "calc.py")
    replay = make_model(f"replay:{path}", ModelConfig())
    assert isinstance(replay, ReplayModel)
    second, _ = run(git_repo, [], model=replay)
    assert second.exit_status == "submitted" and second.submission == first.submission
    assert replay.divergences == []
    with pytest.raises(ModelError, match="none left"):
        replay.query(USER, TOOLS)


def test_request_hasher_matches_request_sha256_and_hashes_each_message_once(monkeypatch) -> None:
    import agent.models.base as base
    from agent.models.base import RequestHasher, request_sha256

    hashed: list[dict] = []
    real = base.message_line
    monkeypatch.setattr(base, "message_line", lambda m: hashed.append(m) or real(m))
    hasher = RequestHasher()
    messages: list[dict] = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    for i in range(50):
        before = len(hashed)
        digest = hasher.hexdigest(messages)
        assert len(hashed) - before == (2 if i == 0 else 1)  # only the new message is serialised
        assert digest == request_sha256(list(messages))
        messages.append({"role": "tool", "tool_call_id": f"c{i}", "content": "x" * i})
    # a replaced earlier message (compaction), a shorter list and an equal copy all rehash correctly
    messages[3] = {**messages[3], "content": "[elided]"}
    assert hasher.hexdigest(messages) == request_sha256(messages)
    assert hasher.hexdigest(messages[:5]) == request_sha256(messages[:5])
    copied = [dict(m) for m in messages]
    assert hasher.hexdigest(copied) == request_sha256(messages)


def test_replay_model_reports_and_refuses_a_diverging_request(tmp_path: Path, git_repo: Path) -> None:
    from agent.models.replay import ReplayModel
    from trajectories.writer import TrajectoryWriter

    path = tmp_path / "orig.jsonl"
    with TrajectoryWriter(path, "orig") as writer:
        run(git_repo, [bash("c1", "ls"), bash("c2", "echo hi"), submit()], recorder=writer)
    lenient = ReplayModel(path)
    messages = [{"role": "user", "content": "not the recorded task"}]
    lenient.query(messages, TOOLS)
    messages.append({"role": "tool", "tool_call_id": "c1", "content": "x"})
    lenient.query(messages, TOOLS)
    assert lenient.divergences == [1, 2]
    with pytest.raises(ModelError, match="step 1.*differs from the recorded one"):
        ReplayModel(path, strict=True).query([{"role": "user", "content": "other"}], TOOLS)


def test_a_hosted_model_without_its_key_is_refused_before_any_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="needs OPENAI_API_KEY in the environment"):
        LiteLLMModel(ModelConfig(name="openai/gpt-4o-mini"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    assert LiteLLMModel(ModelConfig(name="openai/gpt-4o-mini")).name == "openai/gpt-4o-mini"


def test_key_check_leaves_local_servers_and_other_credentials_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OLLAMA_API_BASE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    LiteLLMModel(ModelConfig(name="openai/served", api_base="http://127.0.0.1:9/v1"))
    LiteLLMModel(ModelConfig(name="ollama/llama3"))
    LiteLLMModel(ModelConfig(name="bedrock/anthropic.claude-v2"))
