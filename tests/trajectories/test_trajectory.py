"""The message rebuild: the exact list the model saw at each step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trajectories import MemoryRecorder, Trajectory, TrajectoryError, load
from trajectories.events import SCHEMA_VERSION
from trajectories.sample import emit_sample_run
from trajectories.trajectory import request_sha256


def test_every_rebuilt_request_matches_the_recorded_hash(sample_file: Path):
    traj = load(sample_file)
    checked = 0
    for number, messages in traj.requests():
        call = traj.step(number).model_call
        assert call is not None
        assert len(messages) == call.request.n_messages
        assert request_sha256(messages) == call.request.sha256
        checked += 1
    assert checked == 5


def test_messages_at_follows_the_rule(sample_file: Path):
    traj = load(sample_file)
    start = traj.run_start
    assert traj.messages_at(1) == start.messages
    at2 = traj.messages_at(2)
    assert at2[2]["role"] == "assistant" and at2[2]["tool_calls"][0]["id"] == "call_1"
    assert at2[3] == {"role": "tool", "tool_call_id": "call_1", "content": "__init__.py\ncase.py\nslug.py\nwrap.py\n"}
    at3 = traj.messages_at(3)
    assert at3[-1] == {
        "role": "user",
        "content": "Your last tool call was malformed. Reply with exactly one valid tool call.",
    }
    # step 4 is preceded by a context event that replaced every older tool output
    context = next(e for e in traj.events if e.type == "context")
    at4 = traj.messages_at(4)
    for index in context.compacted:
        assert at4[index]["content"] == context.replacement
    assert traj.messages_at(3)[3]["content"] != context.replacement  # not before it happened


def test_messages_at_returns_a_private_copy(sample_file: Path):
    traj = load(sample_file)
    traj.messages_at(2)[0]["content"] = "mutated"
    assert traj.messages_at(2)[0]["content"] != "mutated"
    assert traj.run_start.messages[0]["content"] != "mutated"


def test_unknown_step_is_a_clear_error(sample_file: Path):
    with pytest.raises(TrajectoryError, match=r"no step 99; steps here: 1\.\.5"):
        load(sample_file).messages_at(99)


def test_steps_and_totals(sample_file: Path):
    traj = load(sample_file)
    steps = traj.steps()
    assert [s.number for s in steps] == [1, 2, 3, 4, 5]
    assert len(steps[1].errors) == 1 and steps[1].tool_calls[0].arguments is None
    totals = traj.totals()
    end = traj.run_end
    assert end is not None
    assert totals.prompt_tokens == end.final_metrics.total_prompt_tokens
    assert totals.completion_tokens == end.final_metrics.total_completion_tokens
    assert totals.cost_usd == pytest.approx(end.final_metrics.total_cost_usd)
    assert totals.model_calls == 5 and totals.errors == 1


def test_unknown_cost_makes_the_total_unknown():
    rec = MemoryRecorder()
    emit_sample_run(rec)
    events = [
        e.model_copy(update={"cost_usd": None}) if e.type == "model_call" and e.step == 3 else e for e in rec.events
    ]
    traj = Trajectory(events)
    assert traj.totals().cost_usd is None
    assert traj.step(3).cost_usd is None and traj.step(2).cost_usd is not None


def test_context_index_out_of_range_is_reported():
    rec = MemoryRecorder()
    emit_sample_run(rec)
    events = [e.model_copy(update={"compacted": [999]}) if e.type == "context" else e for e in rec.events]
    with pytest.raises(TrajectoryError, match="compacts message 999"):
        Trajectory(events).messages()


def test_hash_is_the_agents_hash():
    base = pytest.importorskip("agent.models.base")
    messages = [{"role": "user", "content": "héllo", "b": [1, {"z": None}]}, {"role": "assistant", "content": None}]
    assert request_sha256(messages) == base.request_sha256(messages)


def test_trajectory_needs_run_start():
    rec = MemoryRecorder()
    emit_sample_run(rec)
    with pytest.raises(TrajectoryError, match="starts with a run_start"):
        Trajectory(rec.events[1:])


def test_sample_file_lines_are_compact_json(sample_file: Path):
    for line in sample_file.read_text().splitlines():
        assert json.loads(line)["v"] == SCHEMA_VERSION
        assert ", " not in line[:40]
