"""Our runner and swebench 5.0.2's ``run_evaluation``, end to end on the same bundled-benchmark
rows, images and predictions: identical verdicts instance by instance, every exploit flagged.

CI's share: two instances per prediction kind (20 instances, one run of each harness). The
whole benchmark, every kind, is ``bench/grading_agreement.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.official import official_python

from runners.swebench import official
from runners.swebench.containers import count_containers
from runners.swebench.exploits import KINDS as EXPLOIT_KINDS
from runners.swebench.official_layout import official_run_report
from runners.swebench.side_by_side import (
    KINDS,
    MODEL_NAME,
    agreement_table,
    compare,
    patch_for,
    run_ours,
    write_predictions,
)

# the first run installs the official venv (~80 packages) before two harness runs
pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(1800)]
PER_KIND = 2
# What swebench 5.0.2 itself says of each kind (pinned: a change here is a change of the harness)
OFFICIAL = {
    "gold": "resolved",
    "empty": "empty_patch",
    "wrong": "unresolved",
    "break-p2p": "unresolved",
    "spoof-passed": "unresolved",  # caught by the recorded test exit status
    "spoof-exit0": "resolved",  # the hook also forces exit status 0: 5.x is fooled, the flags are not
    "spoof-markers": "resolved",  # a spoofed end marker and exit status are read first
    "skip-f2p": "unresolved",
    "xfail-f2p": "resolved",  # XFAIL counts as a pass
    "crash-collection": "unresolved",
}


@pytest.fixture(scope="module")
def minibench_rows(docker_ready) -> list[dict]:
    from runners.minibench import DATASET_PATH, ensure_images

    rows = [json.loads(line) for line in Path(DATASET_PATH).read_text().splitlines() if line.strip()]
    ensure_images(rows)
    return rows


def test_same_verdicts_as_the_official_harness_and_every_exploit_flagged(minibench_rows, tmp_path):
    from runners.minibench import DATASET_PATH

    python = official_python()
    assert set(OFFICIAL) == set(KINDS)
    plan = {}
    for k, kind in enumerate(KINDS):
        for j in range(PER_KIND):
            row = minibench_rows[(k * PER_KIND + j) % len(minibench_rows)]
            plan[row["instance_id"]] = (kind, patch_for(kind, row))
    assert len(plan) == len(KINDS) * PER_KIND
    predictions = write_predictions(tmp_path / "preds.jsonl", plan)

    run_ours("minibench", predictions, tmp_path / "ours", workers=2)
    theirs = official.run_evaluation(
        python, Path(DATASET_PATH), predictions, list(plan), work_dir=tmp_path / "official", model_name=MODEL_NAME
    )
    rows = compare(tmp_path / "ours", theirs, plan)
    table = agreement_table(rows)
    print("\n" + table)
    assert [r for r in rows if not r.agrees] == [], table
    for r in rows:
        assert r.theirs == OFFICIAL[r.kind], (r, table)
        assert bool(r.flags) is (r.kind in (*EXPLOIT_KINDS, "break-p2p")), (r, table)

    ids = list(plan)
    images = [row["image"] for row in minibench_rows if row["instance_id"] in plan]
    assert official_run_report(tmp_path / "ours", ids, images=images, containers=[]) == theirs.report
    ours_run_id = json.loads((tmp_path / "ours" / "run.json").read_text())["run_id"]
    assert count_containers(ours_run_id) == 0

    # the fallback for a make_run_report that lost a race on the shared engine writes the same report
    report_file = tmp_path / "official" / f"{MODEL_NAME}.{theirs.run_id}.json"
    report_file.unlink()
    official._report_again(
        python, Path(DATASET_PATH), predictions, ids, run_id=theirs.run_id, work_dir=tmp_path / "official"
    )
    assert json.loads(report_file.read_text()) == theirs.report
