"""Bad input, each one a test: the reader names file, line and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from traj_helpers import write_lines

from trajectories import NewerSchemaError, TornLineWarning, TrajectoryError, load, read_events
from trajectories.events import SCHEMA_VERSION


def error_of(path: Path) -> TrajectoryError:
    with pytest.raises(TrajectoryError) as info:
        load(path)
    assert info.value.path == str(path)
    return info.value


def test_sample_reads_back(sample_file: Path):
    traj = load(sample_file)
    assert traj.run_start.seq == 0
    assert traj.run_end is not None and traj.run_end.exit_status == "submitted"
    assert [e.seq for e in traj.events] == list(range(len(traj.events)))
    assert not traj.torn


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    err = error_of(path)
    assert "empty file" in err.reason


def test_non_json_line(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", [lines[0], "this is not json", *lines[1:]])
    err = error_of(path)
    assert err.line == 2
    assert "not JSON" in err.reason
    assert f"{path}:2:" in str(err)


def test_json_that_is_not_an_object(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", [lines[0], "[1, 2]"])
    err = error_of(path)
    assert err.line == 2 and "expected a JSON object, got list" in err.reason


def test_unknown_event_type(tmp_path: Path, lines: list[dict]):
    lines[1]["type"] = "telepathy"
    path = write_lines(tmp_path / "t.jsonl", lines)
    err = error_of(path)
    assert err.line == 2
    assert "unknown event type 'telepathy'" in err.reason and "run_start" in err.reason


def test_invalid_payload_names_the_field(tmp_path: Path, lines: list[dict]):
    lines[2]["arguments_raw"] = 7
    path = write_lines(tmp_path / "t.jsonl", lines)
    err = error_of(path)
    assert err.line == 3 and "arguments_raw" in err.reason


def test_newer_schema_version(tmp_path: Path, lines: list[dict]):
    lines[0]["v"] = SCHEMA_VERSION + 1
    lines[0]["brand_new_field"] = {"x": 1}  # a newer writer may add fields: the version is reported first
    path = write_lines(tmp_path / "t.jsonl", lines)
    with pytest.raises(NewerSchemaError) as info:
        load(path)
    assert info.value.line == 1
    assert "newer patchloop" in info.value.reason and "upgrade" in info.value.reason


def test_missing_run_start(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", lines[1:])
    err = error_of(path)
    assert err.line == 1 and "missing run_start" in err.reason


def test_seq_out_of_order(tmp_path: Path, lines: list[dict]):
    lines[2], lines[3] = lines[3], lines[2]
    path = write_lines(tmp_path / "t.jsonl", lines)
    err = error_of(path)
    assert err.line == 3 and "jumps from 1 to 3" in err.reason
    lines[2], lines[3] = lines[3], lines[2]
    lines.insert(3, dict(lines[1]))  # an older seq again, later in the file
    path = write_lines(tmp_path / "t2.jsonl", lines)
    err = error_of(path)
    assert err.line == 4 and "out of order" in err.reason


def test_seq_repeated(tmp_path: Path, lines: list[dict]):
    lines.insert(2, dict(lines[1]))
    path = write_lines(tmp_path / "t.jsonl", lines)
    err = error_of(path)
    assert err.line == 3 and "seq 1 repeated" in err.reason


def test_seq_gap(tmp_path: Path, lines: list[dict]):
    del lines[2]
    path = write_lines(tmp_path / "t.jsonl", lines)
    err = error_of(path)
    assert "events are missing" in err.reason


def test_non_utf8_bytes(tmp_path: Path, lines: list[dict]):
    bad = json.dumps(lines[1]).encode().replace(b"Let me", b"Let \xff\xfeme")
    path = write_lines(tmp_path / "t.jsonl", [lines[0], bad, *lines[2:]])
    err = error_of(path)
    assert err.line == 2 and "not valid UTF-8" in err.reason and "0xff" in err.reason


def test_file_truncated_mid_line_is_a_torn_final_line(tmp_path: Path, sample_file: Path):
    data = sample_file.read_bytes()
    cut = data[: len(data) - 40]  # inside the last line (run_end)
    path = tmp_path / "cut.jsonl"
    path.write_bytes(cut)
    with pytest.warns(TornLineWarning, match=r"cut\.jsonl:\d+: last line is torn"):
        traj = load(path)
    assert traj.torn and traj.torn_line == data.count(b"\n")
    assert traj.run_end is None  # the torn run_end is skipped, everything before it is there
    assert len(traj.events) == data.count(b"\n") - 1


def test_truncated_line_in_the_middle_is_an_error(tmp_path: Path, lines: list[dict]):
    torn = json.dumps(lines[1])[:30]
    path = write_lines(tmp_path / "t.jsonl", [lines[0], torn, *lines[2:]])
    err = error_of(path)
    assert err.line == 2 and "not JSON" in err.reason


def test_bad_final_line_with_newline_is_not_tolerated(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", [*lines[:-1], json.dumps(lines[-1])[:20]], final_newline=True)
    err = error_of(path)
    assert err.line == len(lines)


def test_only_line_torn(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", [json.dumps(lines[0])[:50]], final_newline=False)
    with pytest.warns(TornLineWarning), pytest.raises(TrajectoryError, match="run_start is missing"):
        load(path)


def test_blank_line(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", [lines[0], "", *lines[1:]])
    err = error_of(path)
    assert err.line == 2 and "blank line" in err.reason


def test_event_after_run_end(tmp_path: Path, lines: list[dict]):
    extra = {**lines[1], "seq": len(lines)}
    path = write_lines(tmp_path / "t.jsonl", [*lines, extra])
    err = error_of(path)
    assert "after run_end" in err.reason


def test_second_run_start(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", [lines[0], {**lines[0], "seq": 1}])
    assert "second run_start" in error_of(path).reason


def test_run_id_must_not_change(tmp_path: Path, lines: list[dict]):
    lines[3]["run_id"] = "someone-else"
    path = write_lines(tmp_path / "t.jsonl", lines)
    err = error_of(path)
    assert err.line == 4 and "run_id" in err.reason


def test_missing_file(tmp_path: Path):
    assert "no such file" in error_of(tmp_path / "nope.jsonl").reason


def test_read_events_is_lazy_and_strict(tmp_path: Path, lines: list[dict]):
    path = write_lines(tmp_path / "t.jsonl", [*lines[:3], "oops", *lines[3:]])
    it = read_events(path)
    assert [next(it).seq for _ in range(3)] == [0, 1, 2]
    with pytest.raises(TrajectoryError, match=":4: not JSON"):
        next(it)


def test_complete_last_line_without_newline_is_accepted(tmp_path: Path, lines: list[dict]):
    import warnings as w

    path = write_lines(tmp_path / "t.jsonl", lines, final_newline=False)
    with w.catch_warnings():
        w.simplefilter("error")  # no torn-line warning
        traj = load(path)
    assert not traj.torn and traj.run_end is not None
