"""Names from data never reach a path unchecked, and nothing outside --output is ever written
or deleted: bad ids stop the load (row and field named), planted symlinks are replaced,
never followed."""

from __future__ import annotations

import json
import os

import pytest
from helpers.lite import lite_rows

from patchloop.names import PathOutsideError
from runners.swebench.dataset import parse_rows
from runners.swebench.errors import DatasetError, PredictionsError
from runners.swebench.lock import OutputLock
from runners.swebench.outdir import OutputDir
from runners.swebench.predictions import load_predictions
from runners.swebench.run import EXIT_ERROR, main

BAD_IDS = ["/tmp/victim-abs", ".", "..", "../..", "a b/c", "", "x\0y", "run.json", "report.json"]


def _victim(tmp_path):
    victim = tmp_path / "victim"
    (victim / "keep").mkdir(parents=True)
    (victim / "keep" / "data.txt").write_text("precious")
    return victim


def _intact(victim) -> bool:
    return (victim / "keep" / "data.txt").read_text() == "precious"


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_row_whose_id_cannot_name_a_folder_stops_the_load_naming_row_and_field(bad):
    rows = lite_rows("dev", 2)
    rows[1]["instance_id"] = bad
    with pytest.raises(DatasetError) as info:
        parse_rows(rows)
    text = str(info.value)
    assert text.startswith("row 1") and "field instance_id" in text, text
    assert "\n" not in text


def test_a_non_string_id_is_refused_too():
    rows = lite_rows("dev", 1)
    rows[0]["instance_id"] = 12
    with pytest.raises(DatasetError, match=r"^row 0: field instance_id 12 cannot name a file or folder"):
        parse_rows(rows)


def test_a_prediction_whose_id_cannot_name_a_folder_is_refused(tmp_path):
    path = tmp_path / "preds.jsonl"
    path.write_text(json.dumps({"instance_id": "../..", "model_patch": "d"}) + "\n")
    with pytest.raises(PredictionsError, match=r"preds\.jsonl:1: field instance_id '\.\./\.\.'"):
        load_predictions(str(path), [])


@pytest.mark.parametrize("bad", ["{victim}", ".", "..", "../..", "a b/c"])
def test_the_cli_refuses_a_bad_id_in_one_line_and_writes_nothing(docker_ready, tmp_path, capsys, bad):
    victim = _victim(tmp_path)
    bad = bad.format(victim=victim)
    rows = lite_rows("dev", 2)
    rows[1]["instance_id"] = bad
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "a" / "b" / "out"
    code = main(["--dataset", str(data), "--predictions", "gold", "--output", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and err.startswith("error: row 1") and "field instance_id" in err, err
    assert not (tmp_path / "a").exists() and _intact(victim)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.jsonl", "victim"]


def test_reset_removes_a_planted_symlink_never_its_target(tmp_path):
    victim = _victim(tmp_path)
    out = OutputDir(tmp_path / "out")
    out.root.mkdir()
    (out.root / "inst-1").symlink_to(victim)
    assert out.owned("inst-1") is None  # not a folder of this run: its report is not read
    folder = out.reset("inst-1")
    assert folder.is_dir() and not folder.is_symlink() and list(folder.iterdir()) == []
    assert _intact(victim)
    with pytest.raises(PathOutsideError):
        (out.root / "inst-2").symlink_to(victim)
        out.in_instance("inst-2", "report.json")


def test_the_lock_never_opens_a_planted_symlink(tmp_path):
    victim = _victim(tmp_path)
    out = OutputDir(tmp_path / "out")
    out.root.mkdir()
    (out.root / "run.lock").symlink_to(victim / "keep" / "data.txt")
    with OutputLock(out) as lock:
        lock.acquire()
        assert not (out.root / "run.lock").is_symlink()
        assert (out.root / "run.lock").read_text() == f"{os.getpid()}\n"
    assert _intact(victim)


def test_a_folder_that_is_not_a_run_s_output_is_refused(docker_ready, tmp_path, capsys):
    mine = tmp_path / "home"
    (mine / "tiny__calc-1").mkdir(parents=True)
    (mine / "tiny__calc-1" / "notes.txt").write_text("mine")
    code = main(["--dataset", "minibench", "--predictions", "gold", "--n", "1", "--output", str(mine)])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR and "holds files but no run.json" in err, err
    assert (mine / "tiny__calc-1" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in mine.iterdir()) == ["tiny__calc-1"]


@pytest.mark.slow
def test_symlinks_planted_in_the_output_are_replaced_and_their_targets_untouched(tiny_dataset, tmp_path):
    from helpers.runner import cli, inner, report

    victim = _victim(tmp_path)
    (victim / "file.txt").write_text("precious file")
    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"run_id": "planted-1", "model_name_or_path": "gold"}))
    (out / "tiny__calc-1").symlink_to(victim)  # an instance folder that is a link to the victim
    for name in ("report.json", "preds.jsonl", "preds.json", "run.lock"):
        (out / name).symlink_to(victim / "file.txt")
    proc = cli("--dataset", str(tiny_dataset), "--predictions", "gold", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert _intact(victim) and (victim / "file.txt").read_text() == "precious file"
    assert sorted(p.name for p in victim.iterdir()) == ["file.txt", "keep"]
    assert not any((out / n).is_symlink() for n in ("tiny__calc-1", "report.json", "preds.jsonl", "run.lock"))
    assert report(out)["resolved_instances"] == 2 and inner(out, "tiny__calc-1")["resolved"]
