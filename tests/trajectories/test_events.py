from __future__ import annotations

import pytest
from pydantic import ValidationError

from trajectories.events import EVENT_ADAPTER, SCHEMA_VERSION, ModelCall, RunEnd, ToolCall


def envelope(**over):
    base = {"v": 1, "run_id": "r", "seq": 1, "ts": "2026-01-01T00:00:00.000Z", "step": 1, "parent": None}
    base.update(over)
    return base


def tool_call(**over):
    return {
        **envelope(),
        "type": "tool_call",
        "tool_call_id": "c1",
        "name": "bash",
        "arguments": {"command": "ls"},
        "arguments_raw": '{"command": "ls"}',
        **over,
    }


def test_discriminated_union_picks_the_model_by_type():
    event = EVENT_ADAPTER.validate_python(tool_call())
    assert isinstance(event, ToolCall)
    assert event.arguments == {"command": "ls"}


def test_envelope_comes_first_in_the_serialized_line():
    event = EVENT_ADAPTER.validate_python(tool_call())
    keys = list(event.model_dump())
    assert keys[:7] == ["v", "run_id", "seq", "ts", "type", "step", "parent"]


def test_unknown_payload_key_is_rejected():
    with pytest.raises(ValidationError, match="extra"):
        EVENT_ADAPTER.validate_python(tool_call(colour="red"))


def test_unknown_key_in_structured_part_is_rejected():
    data = {
        **envelope(),
        "type": "model_call",
        "request": {"n_messages": 2, "sha256": "x", "extra": 1},
        "response": {"role": "assistant", "content": "hi"},
    }
    with pytest.raises(ValidationError, match="request.extra"):
        EVENT_ADAPTER.validate_python(data)


def test_open_ended_dicts_stay_dicts():
    data = {
        **envelope(),
        "type": "model_call",
        "request": {"n_messages": 2, "sha256": "x"},
        "response": {"role": "assistant", "content": None, "anything": {"goes": [1]}},
    }
    event = EVENT_ADAPTER.validate_python(data)
    assert isinstance(event, ModelCall)
    assert event.response["anything"] == {"goes": [1]}
    assert event.cost_usd is None  # unknown price is null, never a crash


def test_newer_version_says_upgrade():
    with pytest.raises(ValidationError, match="newer patchloop.*upgrade"):
        EVENT_ADAPTER.validate_python(tool_call(v=SCHEMA_VERSION + 1))


def test_ts_must_be_iso8601():
    with pytest.raises(ValidationError, match="ts"):
        EVENT_ADAPTER.validate_python(tool_call(ts="yesterday"))


def test_exit_status_is_a_closed_set():
    data = {**envelope(step=None), "type": "run_end", "exit_status": "gave_up"}
    with pytest.raises(ValidationError, match="exit_status"):
        EVENT_ADAPTER.validate_python(data)
    ok = EVENT_ADAPTER.validate_python({**data, "exit_status": "step_limit"})
    assert isinstance(ok, RunEnd) and ok.final_metrics.total_cost_usd is None


def test_arguments_may_be_null_when_unparseable():
    event = EVENT_ADAPTER.validate_python(tool_call(arguments=None, arguments_raw='{"command": '))
    assert event.arguments is None
