from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from traj_helpers import write_lines

from trajectories.cli import main
from trajectories.schema import schema_text

REPO = Path(__file__).resolve().parents[2]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    return code, out.getvalue()


def test_validate_ok(sample_file: Path):
    code, out = run("validate", str(sample_file))
    assert code == 0 and "ok, 19 events" in out


def test_validate_names_each_problem_with_file_and_line(tmp_path: Path, sample_file: Path, lines: list[dict]):
    bad = write_lines(tmp_path / "bad.jsonl", [lines[0], "{nope", *lines[1:]])
    lines[3]["parent"] = 99
    unlinked = write_lines(tmp_path / "unlinked.jsonl", lines)
    code, out = run("validate", str(sample_file), str(bad), str(unlinked))
    assert code == 1
    assert f"{bad}:2: not JSON" in out
    assert f"{unlinked}:4: parent 99 is not an earlier event" in out
    assert f"{sample_file}: ok" in out
    assert "2 of 3 file(s) have problems" in out


def test_validate_reports_a_torn_line(tmp_path: Path, sample_file: Path):
    data = sample_file.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[:-25])
    code, out = run("validate", str(cut))
    n_lines = data.count(b"\n")
    assert code == 1 and f"{cut}:{n_lines}: torn final line" in out


def test_validate_checks_the_rebuild(tmp_path: Path, lines: list[dict]):
    lines[1]["request"]["n_messages"] = 7
    path = write_lines(tmp_path / "t.jsonl", lines)
    code, out = run("validate", str(path))
    assert code == 1 and f"{path}:2: request.n_messages is 7" in out


def test_validate_empty_file(tmp_path: Path):
    path = tmp_path / "empty.jsonl"
    path.touch()
    code, out = run("validate", str(path))
    assert code == 1 and f"{path}: empty file" in out


def test_show_and_step(sample_file: Path):
    code, out = run("show", str(sample_file))
    assert code == 0
    for needle in (
        "step 1",
        "Let me look at the repository.",
        "→ bash",
        "tokens 520 in / 27 out",
        "totals",
        "submitted",
    ):
        assert needle in out
    code, out = run("show", str(sample_file), "--step", "3")
    assert code == 0 and "request of 7 messages" in out and "[6] user" in out
    code, _ = run("show", str(sample_file), "--step", "42")
    assert code == 1


def test_show_truncates_long_observations(tmp_path: Path, lines: list[dict]):
    lines[3]["content"] = "A" * 5000
    path = write_lines(tmp_path / "t.jsonl", lines)
    _, out = run("show", str(path), "--max-chars", "100")
    assert "chars cut" in out and "A" * 200 not in out
    _, full = run("show", str(path), "--step", "1")
    assert "A" * 200 in full.replace("\n", "").replace("│", "").replace(" ", "")


def test_stats_over_many_files(tmp_path: Path, sample_file: Path, lines: list[dict]):
    unfinished = write_lines(tmp_path / "unfinished.jsonl", lines[:-1])
    broken = write_lines(tmp_path / "broken.jsonl", ["garbage"])
    code, out = run("stats", str(sample_file), str(unfinished), str(broken))
    assert code == 1  # one file unreadable
    assert "submitted" in out and "unfinished" in out and "unreadable" in out and "line 1" in out
    code, out = run("stats", str(sample_file), str(unfinished))
    assert code == 0 and "2 trajectories" in out


@pytest.mark.parametrize(
    "fmt,key", [("atif", "schema_version"), ("swe-agent", "trajectory"), ("mini", "trajectory_format")]
)
def test_export_to_stdout_and_file(tmp_path: Path, sample_file: Path, fmt: str, key: str):
    code, out = run("export", "--format", fmt, str(sample_file))
    assert code == 0 and key in json.loads(out)
    target = tmp_path / "out" / f"x.{fmt}.json"
    code, out = run("export", "--format", fmt, str(sample_file), "-o", str(target))
    assert code == 0 and out == "" and key in json.loads(target.read_text())


def test_export_of_a_bad_file_fails(tmp_path: Path):
    path = write_lines(tmp_path / "t.jsonl", ["nope"])
    assert run("export", "--format", "atif", str(path))[0] == 1


def test_schema_command():
    code, out = run("schema")
    assert code == 0 and out == schema_text()


def test_usage_errors_exit_2(sample_file: Path):
    with pytest.raises(SystemExit) as info:
        run("export", "--format", "otel", str(sample_file))
    assert info.value.code == 2
    assert run("replay", str(sample_file), "--from-step", "2")[0] == 2  # --model missing
    assert run("replay", str(sample_file), "--execute", "--from-step", "2", "--model", "x")[0] == 2


def test_help_is_fast_and_imports_no_rich():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['trajectories', '--help']\n"
        "try:\n    runpy.run_module('trajectories', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0\n"
        "heavy = [m for m in ('rich', 'agent', 'litellm', 'docker') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "validate" in proc.stdout and "replay" in proc.stdout


def test_show_prints_markup_like_text_literally(tmp_path: Path, lines: list[dict]):
    lines[0]["task"]["instance_id"] = "[bold]x[/bold] [/oops]"
    lines[1]["response"]["content"] = "see [red]this[/red] and [/broken"
    path = write_lines(tmp_path / "t.jsonl", lines)
    code, out = run("show", str(path))
    assert code == 0
    assert "[bold]x[/bold] [/oops]" in out and "see [red]this[/red] and [/broken" in out


def test_show_marks_a_torn_run(tmp_path: Path, sample_file: Path):
    data = sample_file.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[:-25])
    code, out = run("show", str(cut))
    assert code == 0 and "torn final line" in out and "unfinished (no run_end)" in out


def test_stats_names_each_file_even_in_a_deep_folder(tmp_path: Path, lines: list[dict]):
    deep = tmp_path / "some" / "rather" / "deep" / "folder" / "of" / "runs"
    deep.mkdir(parents=True)
    first = write_lines(deep / "a.jsonl", lines)
    second = write_lines(deep / "b.jsonl", lines[:-1])
    code, out = run("stats", str(first), str(second))
    assert code == 0 and "…" not in out
    assert "│ a.jsonl " in out and "│ b.jsonl " in out
    assert "2 trajectories in" in out


def test_an_output_that_cannot_be_written_is_one_message(tmp_path: Path, sample_file: Path, capsys):
    """-o naming a folder, or a path under a file, was a traceback (IsADirectoryError,
    FileExistsError from mkdir) for export and replay alike."""
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for target in (tmp_path, a_file / "x.json"):
        assert run("export", "--format", "atif", str(sample_file), "-o", str(target))[0] == 2
        assert f"cannot write -o {target}" in capsys.readouterr().err
        assert run("replay", str(sample_file), "-o", str(target))[0] == 2
        assert f"-o {target}" in capsys.readouterr().err
    existing = tmp_path / "done.jsonl"
    existing.write_text("{}\n")
    assert run("replay", str(sample_file), "-o", str(existing))[0] == 2
    err = capsys.readouterr().err
    assert "exists" in err and "overwrite=True" not in err  # a CLI user has no overwrite=True
    assert existing.read_text() == "{}\n"


def test_stats_keeps_file_names_whole_under_a_deep_folder(tmp_path: Path, sample_file: Path, lines: list[dict]):
    deep = tmp_path / ("a-rather-long-folder-name-" * 3) / "runs"
    deep.mkdir(parents=True)
    first = write_lines(deep / "unfinished-instance-one.jsonl", lines[:-1])
    second = write_lines(deep / "unfinished-instance-two.jsonl", lines[:-1])
    code, out = run("stats", str(first), str(second))
    assert code == 0
    assert "unfinished-instance-one.jsonl" in out and "unfinished-instance-two.jsonl" in out


def test_validate_holds_v2_hashes_to_the_file_and_reads_v1_as_before(tmp_path: Path, lines: list[dict]):
    """From schema v2 on what was sent is what the file holds: a request hash that does not
    match the rebuild is an error. In a v1 file it is a note (its writer redacted after
    sending), and the file still validates."""
    step = next(i for i, e in enumerate(lines) if e["type"] == "model_call")
    lines[step]["request"]["sha256"] = "0" * 64
    current = write_lines(tmp_path / "v2.jsonl", lines)
    code, out = run("validate", str(current))
    assert code == 1 and "request.sha256 differs" in out and "does not hold what the model was sent" in out
    old = write_lines(tmp_path / "v1.jsonl", [{**e, "v": 1} for e in lines])
    code, out = run("validate", str(old))
    assert code == 0 and "note: " in out and "schema v1" in out and f"{old}: ok" in out
