from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import jsonlines
import pytest

from trajectories import (
    InvalidEventError,
    MemoryRecorder,
    NullRecorder,
    Recorder,
    Redactor,
    TrajectoryError,
    TrajectoryWriter,
    load,
)
from trajectories.sample import emit_sample_run

REPO = Path(__file__).resolve().parents[2]


def start_payload(**over):
    payload = dict(
        agent={"name": "patchloop", "version": "0.1.0"},
        model={"name": "scripted", "kind": "scripted", "params": {}},
        tools=[],
        task={"text": "fix it"},
        messages=[{"role": "user", "content": "fix it"}],
        sandbox={"kind": "local", "image": None, "workdir": "/tmp/x"},
    )
    payload.update(over)
    return payload


def result_payload(content: str, cid: str = "c1"):
    return dict(tool_call_id=cid, name="bash", ok=True, content=content, exit_code=0)


def test_emit_returns_seq_and_each_line_is_one_event(tmp_path: Path):
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1", redact=False) as w:
        assert w.emit("run_start", **start_payload()) == 0
        assert w.emit("tool_result", step=1, parent=0, **result_payload("a\nb")) == 1
        assert w.n_events == 2
    raw = path.read_text().splitlines()
    assert len(raw) == 2
    assert json.loads(raw[1])["content"] == "a\nb"
    assert json.loads(raw[1])["parent"] == 0


def test_flushed_per_event_before_close(tmp_path: Path):
    path = tmp_path / "run.jsonl"
    w = TrajectoryWriter(path, "r1", redact=False)
    w.emit("run_start", **start_payload())
    assert path.read_bytes().endswith(b"\n")  # on disk (OS buffer) without close()
    assert len(load(path).events) == 1
    w.close()
    w.close()  # idempotent


def test_invalid_event_is_rejected_and_consumes_no_seq(tmp_path: Path):
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1", redact=False) as w:
        w.emit("run_start", **start_payload())
        with pytest.raises(InvalidEventError, match="tool_result.*ok"):
            w.emit("tool_result", step=1, tool_call_id="c", name="bash", content="x")  # no `ok`
        with pytest.raises(InvalidEventError, match="unknown_field"):
            w.emit("tool_result", step=1, unknown_field=1, **result_payload("x"))
        with pytest.raises(InvalidEventError, match="envelope field"):
            w.emit("tool_result", step=1, seq=5, **result_payload("x"))
        assert w.emit("tool_result", step=1, **result_payload("x")) == 1
    assert [e.seq for e in load(path).events] == [0, 1]


def test_closed_writer_refuses(tmp_path: Path):
    w = TrajectoryWriter(tmp_path / "run.jsonl", "r1", redact=False)
    w.close()
    with pytest.raises(TrajectoryError, match="closed"):
        w.emit("run_start", **start_payload())


def test_never_appends_to_an_existing_file(tmp_path: Path):
    path = tmp_path / "run.jsonl"
    path.write_text("keep me\n")
    with pytest.raises(TrajectoryError, match="file exists"):
        TrajectoryWriter(path, "r1")
    assert path.read_text() == "keep me\n"
    with TrajectoryWriter(path, "r1", overwrite=True, redact=False) as w:
        w.emit("run_start", **start_payload())
    assert len(load(path).events) == 1


def test_threads_writing_concurrently(tmp_path: Path):
    path = tmp_path / "run.jsonl"
    n_threads, per_thread = 8, 250
    seqs: list[list[int]] = [[] for _ in range(n_threads)]
    with TrajectoryWriter(path, "r1", redact=False) as w:
        w.emit("run_start", **start_payload())
        barrier = threading.Barrier(n_threads)

        def work(k: int) -> None:
            barrier.wait()
            for i in range(per_thread):
                seqs[k].append(w.emit("tool_result", step=k, **result_payload(f"t{k}-{i} " + "x" * (i % 50))))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    traj = load(path)  # strict: every line whole, seq 0..N in file order
    assert len(traj.events) == 1 + n_threads * per_thread
    returned = sorted(s for chunk in seqs for s in chunk)
    assert returned == list(range(1, 1 + n_threads * per_thread))
    for k in range(n_threads):  # each thread's events keep its own order
        mine = [e.content.split()[0] for e in traj.events[1:] if e.step == k]
        assert mine == [f"t{k}-{i}" for i in range(per_thread)]


KILL_SCRIPT = """
import sys, time
from trajectories import TrajectoryWriter
w = TrajectoryWriter(sys.argv[1], "killed-run", redact=False)
w.emit("run_start", agent={"name": "a", "version": "1"}, model={"name": "m", "kind": "scripted"},
       tools=[], task={"text": "t"}, messages=[], sandbox={"kind": "local", "workdir": "/w"})
i = 0
while True:
    i += 1
    w.emit("tool_result", step=i, tool_call_id=f"c{i}", name="bash", ok=True, content="y" * (i % 5000))
    if i == 200:
        print("ready", flush=True)
"""


def test_sigkill_mid_run_leaves_every_finished_event_readable(tmp_path: Path):
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(path)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.2)  # keep writing for a while, then kill without any chance to clean up
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the last line may or may not be torn
        traj = load(path)
    assert traj.run_end is None
    assert len(traj.events) > 200
    assert [e.seq for e in traj.events] == list(range(len(traj.events)))
    complete_lines = path.read_bytes().count(b"\n")
    assert len(traj.events) == complete_lines  # every finished line is an event


def test_fifty_megabyte_observation_written_and_read_back(tmp_path: Path):
    big = ("0123456789abcdef" * 64 + "\n") * (50 * 1024 * 1024 // 1025)
    assert len(big) >= 50_000_000
    path = tmp_path / "big.jsonl"
    with TrajectoryWriter(path, "big", redact=Redactor({"API_KEY": "s3cr3t-value"}, {})) as w:
        w.emit("run_start", **start_payload())
        w.emit("tool_result", step=1, **result_payload(big))
    assert path.stat().st_size > 50_000_000
    traj = load(path)
    assert traj.events[1].content == big


# ----------------------------------------------------------------- redaction


def test_secret_env_values_are_redacted_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-abcdefghijklmnopqrstuvwxyz0123")
    monkeypatch.setenv("GITHUB_TOKEN", "tok-987654321")
    monkeypatch.setenv("DB_PASSWORD", "hunter2hunter2")
    monkeypatch.setenv("MY_SECRET", "short")  # < 6 chars: ignored
    monkeypatch.setenv("HOME_DIRECTORY", "/home/someone")  # not a secret name
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1") as w:
        w.emit(
            "run_start",
            **start_payload(
                config={
                    "note": "token is tok-987654321",
                    "tok-987654321": "as a key",
                    "nested": [{"pw": "hunter2hunter2"}],
                },
                messages=[{"role": "user", "content": "use sk-live-abcdefghijklmnopqrstuvwxyz0123 please"}],
            ),
        )
        w.emit("tool_result", step=1, **result_payload("env: DB_PASSWORD=hunter2hunter2 short /home/someone"))
    text = path.read_text()
    for secret in ("sk-live-abcdefghijklmnopqrstuvwxyz0123", "tok-987654321", "hunter2hunter2"):
        assert secret not in text
    assert "[REDACTED:OPENAI_API_KEY]" in text
    assert "[REDACTED:GITHUB_TOKEN]" in text
    assert "[REDACTED:DB_PASSWORD]" in text
    assert "short" in text and "/home/someone" in text
    start = load(path).run_start
    assert start.config["note"] == "token is [REDACTED:GITHUB_TOKEN]"
    assert "[REDACTED:GITHUB_TOKEN]" in start.config  # dict keys too


def test_secrets_read_when_the_writer_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    w = TrajectoryWriter(tmp_path / "run.jsonl", "r1")
    monkeypatch.setenv("LATE_TOKEN", "arrived-too-late")
    w.emit("run_start", **start_payload(config={"x": "arrived-too-late"}))
    w.close()
    assert "arrived-too-late" in (tmp_path / "run.jsonl").read_text()


def test_configured_patterns_and_default_patterns(tmp_path: Path):
    redactor = Redactor.from_environ({}, patterns={"INTERNAL_ID": r"emp-\d{6}"})
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1", redact=redactor) as w:
        w.emit("run_start", **start_payload(config={"who": "emp-123456 and emp-12"}))
    assert load(path).run_start.config["who"] == "[REDACTED:INTERNAL_ID] and emp-12"

    defaults = Redactor.from_environ({})
    leaked = "key sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX and AKIAABCDEFGHIJKLMNOP"
    assert defaults.text(leaked) == "key [REDACTED:OPENAI_STYLE_KEY] and [REDACTED:AWS_ACCESS_KEY_ID]"


def test_invalid_pattern_is_a_clear_error():
    with pytest.raises(ValueError, match="not a valid regex"):
        Redactor({}, {"BAD": "("})


def test_redaction_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOME_API_KEY", "visible-on-purpose")
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1", redact=False) as w:
        w.emit("run_start", **start_payload(config={"k": "visible-on-purpose"}))
    assert "visible-on-purpose" in path.read_text()


# ----------------------------------------------------------------- recorders


def test_recorders_satisfy_the_protocol(tmp_path: Path):
    with TrajectoryWriter(tmp_path / "r.jsonl", "r", redact=False) as w:
        for rec in (w, NullRecorder(), MemoryRecorder()):
            assert isinstance(rec, Recorder)


def test_memory_recorder_validates_and_keeps_events():
    rec = MemoryRecorder("mem")
    emit_sample_run(rec, steps=6)
    assert rec.events[0].type == "run_start" and rec.events[-1].type == "run_end"
    assert [e.seq for e in rec.events] == list(range(len(rec.events)))
    with pytest.raises(InvalidEventError):
        rec.emit("no_such_type")


def test_null_recorder_counts():
    rec = NullRecorder()
    assert [rec.emit("anything"), rec.emit("model_call", step=1)] == [0, 1]


def test_secrets_that_json_escapes_are_still_redacted(tmp_path: Path):
    # the writer pre-checks the serialized line; a secret with quotes, backslashes, a tab or
    # non-ASCII looks different there, and must still be found
    secrets = {"A_PASSWORD": 'pa"ss\\wo\trd', "B_TOKEN": "clé-secrète-ü"}
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1", redact=Redactor(secrets, {})) as w:
        w.emit("run_start", **start_payload(config={"a": f"x{secrets['A_PASSWORD']}y", "b": secrets["B_TOKEN"]}))
    config = load(path).run_start.config
    assert config == {"a": "x[REDACTED:A_PASSWORD]y", "b": "[REDACTED:B_TOKEN]"}


def test_default_pattern_after_an_escaped_newline_is_redacted(tmp_path: Path):
    # in the JSON line "\\n" puts a word character before the key: the pre-check must not rely on \\b
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1", redact=Redactor.from_environ({})) as w:
        w.emit("run_start", **start_payload(config={"out": "export\nsk-abcdefghijklmnopqrstuvwxyz\n"}))
    assert load(path).run_start.config["out"] == "export\n[REDACTED:OPENAI_STYLE_KEY]\n"


def test_clean_events_skip_the_walk():
    redactor = Redactor({"X_KEY": "abcdef123"}, {})
    assert not redactor.may_match(b'{"content":"nothing here"}')
    assert redactor.may_match(b'{"content":"has abcdef123"}')
    assert Redactor({}, {"CUSTOM": "x+"}).may_match(b"{}")  # custom patterns: always walk


def test_values_that_cannot_round_trip_are_refused(tmp_path: Path):
    path = tmp_path / "run.jsonl"
    with TrajectoryWriter(path, "r1", redact=False) as w:
        with pytest.raises(InvalidEventError, match="not JSON-serializable"):
            w.emit("run_start", **start_payload(config={"handle": object()}))
        w.emit("run_start", **start_payload(config={"where": Path("/x")}))  # JSON-able: written as a string
        with pytest.raises(InvalidEventError, match="duration_ms"):
            w.emit("tool_result", step=1, **{**result_payload("x"), "duration_ms": float("nan")})
    traj = load(path)
    assert len(traj.events) == 1 and traj.run_start.config == {"where": "/x"}


def test_each_event_reaches_the_file_in_one_write_with_its_newline(tmp_path: Path):
    import io

    from trajectories.writer import WholeLines

    class Counting(io.BytesIO):
        def __init__(self) -> None:
            super().__init__()
            self.writes: list[bytes] = []

        def write(self, data) -> int:  # type: ignore[override]
            self.writes.append(bytes(data))
            return super().write(data)

    target = Counting()
    writer = jsonlines.Writer(WholeLines(target), flush=True, dumps=lambda obj: obj)
    big = b'{"x":"' + b"y" * 100_000 + b'"}'  # larger than any file buffer
    writer.write(big)
    writer.write(b"{}")
    assert target.writes == [big + b"\n", b"{}\n"]
