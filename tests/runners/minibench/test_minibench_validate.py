"""The validator and the image builder on the real Docker engine, over the checked-in dataset."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from runners.minibench import DATASET_PATH, ensure_images
from runners.minibench.errors import MinibenchError
from runners.minibench.images import write_context
from runners.minibench.rows import load_rows, select_rows
from runners.minibench.validate import format_table, validate_row, validate_rows

FIRST = "minibench__textkit-01"


def first_row() -> dict[str, str]:
    return select_rows(load_rows(DATASET_PATH), [FIRST])[0]


def test_dataset_rows_carry_every_field() -> None:
    rows = load_rows(DATASET_PATH)
    assert len(rows) >= 30
    assert len({row["repo"] for row in rows}) >= 3
    for row in rows:
        assert json.loads(row["FAIL_TO_PASS"]), row["instance_id"]
        assert row["image"] == row["image"].lower() and row["image"].startswith("patchloop-minibench:")
        assert row["eval_script"].startswith("#!/bin/bash\nset -uxo pipefail\n")


def test_image_context_refuses_a_stale_row(tmp_path: Path) -> None:
    row = {**first_row(), "base_commit": "0" * 40}
    with pytest.raises(MinibenchError, match="out of date"):
        write_context(row, tmp_path / "ctx")


def test_image_context_is_the_single_base_commit(tmp_path: Path) -> None:
    import subprocess

    row = first_row()
    write_context(row, tmp_path / "ctx")
    testbed = tmp_path / "ctx" / "testbed"
    log = subprocess.run(["git", "log", "--all", "--format=%H"], cwd=testbed, capture_output=True, text=True)
    assert log.stdout.split() == [row["base_commit"]]
    assert "FROM patchloop-base:bookworm" in (tmp_path / "ctx" / "Dockerfile").read_text()


@pytest.mark.docker
def test_ensure_images_skips_existing(docker_ready: str) -> None:
    row = first_row()
    ensure_images([row])
    seen: list[tuple[str, str]] = []
    assert ensure_images([row], on_image=lambda image, status: seen.append((image, status))) == [row["image"]]
    assert seen == [(row["image"], "exists")]


@pytest.mark.docker
def test_validator_flags_a_wrong_fail_to_pass(docker_ready: str) -> None:
    row = first_row()
    ensure_images([row])
    passing = json.loads(row["PASS_TO_PASS"])[0]
    bad = {**row, "FAIL_TO_PASS": json.dumps([*json.loads(row["FAIL_TO_PASS"]), passing])}
    result = validate_row(bad)
    assert not result.ok
    assert result.f2p_fail_before == result.f2p_total - 1
    assert any(passing in problem for problem in result.problems)


GIT = "git -c user.name=x -c user.email=x@x"
APPLY = "git apply /tmp/gold.diff"

# Ways a fix can hide in /testbed after the base commit: the RUN step, and the problem the
# validator must report for it.
LEAKS = {
    "reset-away": (
        f"{APPLY} && {GIT} commit -qam fix && git reset -q --hard HEAD~1",
        "history holds more than the base commit",
    ),
    "uncommitted": (APPLY, "gold patch applies in reverse"),
    "side-branch": (
        f"git checkout -q -b fixed && {APPLY} && {GIT} commit -qam fix && git checkout -q main",
        "refs other than refs/heads/main",
    ),
    "stash": (f"{APPLY} && {GIT} stash -q", "history holds more than the base commit"),
    "loose-blob": (
        f"{APPLY} && git diff --name-only | xargs git hash-object -w && git checkout -- .",
        "unreachable object(s) in .git",
    ),
}


def _build_leaky_image(row: dict[str, str], run: str) -> str:
    """An image FROM the row's image whose /testbed went through ``run`` with the gold patch at hand."""
    import io
    import tarfile

    import docker

    tag = f"patchloop-minibench-test:leak-{uuid.uuid4().hex[:8]}"
    dockerfile = f"FROM {row['image']}\nCOPY gold.diff /tmp/gold.diff\nRUN {run} && rm /tmp/gold.diff\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("Dockerfile", dockerfile.encode()), ("gold.diff", row["patch"].encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    client = docker.from_env()
    client.images.build(fileobj=buffer, custom_context=True, tag=tag, labels={"patchloop.managed": "1"}, rm=True)
    return tag


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("leak", sorted(LEAKS))
def test_validator_flags_a_fix_hidden_in_the_image(docker_ready: str, leak: str) -> None:
    """Any trace of the fix in /testbed (files, history, refs, stash, object store) fails the base check."""
    import docker

    run, expected = LEAKS[leak]
    row = first_row()
    ensure_images([row])
    tag = _build_leaky_image(row, run)
    try:
        result = validate_row({**row, "image": tag})
    finally:
        docker.from_env().images.remove(tag, force=True)
    assert not result.base_ok and not result.ok
    assert any(expected in problem for problem in result.problems), result.problems


@pytest.mark.docker
@pytest.mark.slow
def test_every_instance_is_valid_in_its_image(docker_ready: str) -> None:
    rows = load_rows(DATASET_PATH)
    ensure_images(rows)
    results = validate_rows(rows, workers=2)
    table = format_table(results)
    assert [r.instance_id for r in results if not r.ok] == [], table
    assert all(r.resolved_with_gold and r.f2p_fail_before == r.f2p_total for r in results)
    assert f"{len(rows)} of {len(rows)} instances valid" in table


@pytest.mark.docker
def test_image_built_for_another_commit_is_not_current(docker_ready: str) -> None:
    from runners.minibench.images import image_is_current
    from sandbox.engine import connect

    row = first_row()
    ensure_images([row])
    client = connect()
    assert image_is_current(client, row)
    assert not image_is_current(client, {**row, "base_commit": "0" * 40})


@pytest.mark.docker
@pytest.mark.parametrize("kind, resolved", [("gold", True), ("empty", False), ("wrong", False), ("break-p2p", False)])
def test_reference_predictions_grade_as_expected(docker_ready: str, kind: str, resolved: bool) -> None:
    from runners.minibench.predictions import make_predictions
    from runners.minibench.validate import evaluate_patch

    row = select_rows(load_rows(DATASET_PATH), ["minibench__textkit-06"])[0]
    ensure_images([row])
    (prediction,) = make_predictions([row], kind)
    outcome = evaluate_patch(row, prediction["model_patch"])
    assert outcome.applied
    assert outcome.resolved is resolved
    report = outcome.report
    if kind == "break-p2p":
        assert report["FAIL_TO_PASS"]["failure"] == []
        assert report["PASS_TO_PASS"]["failure"] == [json.loads(row["PASS_TO_PASS"])[0]]
    if kind in ("empty", "wrong"):
        assert report["FAIL_TO_PASS"]["success"] == []


def test_cli_without_docker_says_so(monkeypatch, capsys) -> None:
    from runners.minibench.__main__ import main

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["build-images", "--instance-ids", FIRST]) == 2
    assert "Cannot reach the Docker daemon" in capsys.readouterr().err


def test_cli_unknown_instance_id(capsys) -> None:
    from runners.minibench.__main__ import main

    assert main(["validate", "--instance-ids", "minibench__nope-01"]) == 2
    assert "unknown instance id" in capsys.readouterr().err
