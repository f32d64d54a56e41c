"""Run-level labels and the 5.x run-report layout, checked against swebench 5.0.2's own
``make_run_report`` on the same instances."""

from __future__ import annotations

import json

import pytest

from runners.swebench.labels import failure_labels, tamper_summary
from runners.swebench.official_layout import official_report_name, official_run_report, write_official_run_report
from runners.swebench.report import write_instance_report

RUN_ID = "labels-1"
MODEL = "org/model"
FLAG = {"kind": "conftest", "path": "conftest.py", "reason": "adds or changes a conftest.py pytest loads"}
# id -> (our status, model_patch, test_output.txt, run_instance.log, tamper_flags); None: no report at all
INSTANCES = {
    "a__a-1": ("resolved", "diff a", "PASSED x", "ok", []),
    "b__b-2": ("unresolved", "diff b", "ModuleNotFoundError: No module named 'b'", "ok", []),
    "c__c-3": ("error", "diff c", None, ">>>>> Patch Apply Failed:\nerror: patch failed", []),
    "d__d-4": ("error", "diff d", "Could not resolve host: x", ">>>>> Tests Timed Out", [FLAG]),
    "e__e-5": ("empty_patch", "", None, None, []),
    "f__f-6": ("resolved", "diff f", "PASSED x", "ok", [FLAG]),
    "g__g-7": ("interrupted", "diff g", None, None, []),
    "h__h-8": None,
}


def _ours(tmp_path):
    out = tmp_path / "ours"
    for iid, spec in INSTANCES.items():
        if spec is None:
            continue
        status, patch, output, log, flags = spec
        folder = out / iid
        folder.mkdir(parents=True)
        if output is not None:
            (folder / "test_output.txt").write_text(output)
        if log is not None:
            (folder / "run_instance.log").write_text(log)
        fields = {"resolved": status == "resolved", "status": status, "model_patch": patch, "tamper_flags": flags}
        write_instance_report(out, iid, fields)
    return out


def _theirs(tmp_path, monkeypatch):
    """The same instances laid out as run_evaluation leaves them, reported by make_run_report."""
    from swebench.harness.reporting import make_run_report

    work = tmp_path / "official"
    work.mkdir()
    monkeypatch.chdir(work)
    predictions = {}
    for iid, spec in INSTANCES.items():
        if spec is None or spec[0] == "interrupted":
            continue  # no prediction: our preds.jsonl leaves these out too
        status, patch, output, log, _flags = spec
        predictions[iid] = {"instance_id": iid, "model_name_or_path": MODEL, "model_patch": patch}
        folder = work / "logs" / "run_evaluation" / RUN_ID / MODEL.replace("/", "__") / iid
        folder.mkdir(parents=True)
        if output is not None:
            (folder / "test_output.txt").write_text(output)
        if log is not None:
            (folder / "run_instance.log").write_text(log)
        if status in ("resolved", "unresolved"):  # 5.x writes report.json only for graded instances
            (folder / "report.json").write_text(json.dumps({iid: {"resolved": status == "resolved"}}))
    path = make_run_report(predictions, [{"instance_id": i} for i in INSTANCES], RUN_ID, None, str(work))
    return json.loads(path.read_text()), path.name


def test_the_layout_equals_make_run_reports(tmp_path, monkeypatch):
    ours_dir = _ours(tmp_path)
    theirs, name = _theirs(tmp_path, monkeypatch)
    ours = official_run_report(ours_dir, list(INSTANCES))
    assert list(ours) == list(theirs)  # same keys, same order
    assert ours == theirs
    assert ours["failure_reasons"] == {"b__b-2": "missing_module", "d__d-4": "network_unreachable"}
    assert official_report_name(MODEL, RUN_ID) == name
    written = write_official_run_report(tmp_path, ours_dir, list(INSTANCES), run_id=RUN_ID, model_name_or_path=MODEL)
    assert written.name == name and json.loads(written.read_text()) == theirs


def test_docker_keys_appear_with_a_docker_view(tmp_path):
    report = official_run_report(_ours(tmp_path), list(INSTANCES), images=["i:2", "i:1", "i:1"], containers=[])
    assert report["unstopped_instances"] == 0 and report["unstopped_containers"] == []
    assert report["unremoved_images"] == ["i:1", "i:2"]


@pytest.mark.parametrize("model", ["../x", "scripted:/tmp/a b.json", ".hidden", ""])
def test_a_hostile_model_name_makes_a_plain_file_name(model):
    name = official_report_name(model, RUN_ID)
    assert "/" not in name and not name.startswith(".") and name.endswith(f".{RUN_ID}.json")


def test_failure_labels_and_tamper_summary(tmp_path):
    out = _ours(tmp_path)
    reports = {
        iid: (json.loads((out / iid / "report.json").read_text())[iid] if spec else None)
        for iid, spec in INSTANCES.items()
    }
    labels = failure_labels(out, reports)
    assert labels == {
        "infra_failure_instances": 1,
        "ambiguous_failure_instances": 1,
        "infra_failure_ids": ["d__d-4"],
        "ambiguous_failure_ids": ["b__b-2"],
        "failure_reasons": {"b__b-2": "missing_module", "d__d-4": "network_unreachable"},
    }
    assert tamper_summary(reports) == {
        "tamper_flagged_instances": 2,
        "resolved_unflagged_instances": 1,
        "tamper_flagged_ids": ["d__d-4", "f__f-6"],
        "resolved_unflagged_ids": ["a__a-1"],
    }
