"""Dataset loading through datasets.load_dataset, row validation and selection."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from helpers.lite import lite_rows

from runners.swebench.dataset import load_instances, parse_row, parse_rows, select
from runners.swebench.errors import DatasetError, HubUnreachableError, SelectionError


def _rows(n=5):
    return lite_rows("dev", n)


def test_local_jsonl_json_parquet_and_folder(tmp_path):
    import datasets

    rows = _rows()
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    listed = [
        dict(r, FAIL_TO_PASS=json.loads(r["FAIL_TO_PASS"]), PASS_TO_PASS=json.loads(r["PASS_TO_PASS"])) for r in rows
    ]
    (tmp_path / "b.json").write_text(json.dumps(listed))
    datasets.Dataset.from_list(rows).to_parquet(str(tmp_path / "c.parquet"))
    ids = [r["instance_id"] for r in rows]
    for source in ("a.jsonl", "b.json", "c.parquet"):
        insts = load_instances(str(tmp_path / source))
        assert [i.instance_id for i in insts] == ids
        assert insts[0].fail_to_pass == json.loads(rows[0]["FAIL_TO_PASS"])
    folder = tmp_path / "only"
    folder.mkdir()
    (folder / "x.jsonl").write_text((tmp_path / "a.jsonl").read_text())
    assert [i.instance_id for i in load_instances(str(folder))] == ids


def test_missing_field_names_the_instance_and_field():
    row = _rows(1)[0]
    del row["test_patch"]
    with pytest.raises(DatasetError, match=f"{row['instance_id']}.*test_patch"):
        parse_row(row)
    row = _rows(1)[0]
    row.pop("version")
    row.pop("eval_script")
    with pytest.raises(DatasetError, match="version"):
        parse_row(row)


def test_bad_test_list_is_reported():
    row = dict(_rows(1)[0], FAIL_TO_PASS="not json")
    with pytest.raises(DatasetError, match="FAIL_TO_PASS"):
        parse_row(row)


def test_selection():
    from runners.swebench.dataset import parse_rows

    insts = parse_rows(_rows(23))
    ids = [i.instance_id for i in insts]
    assert [i.instance_id for i in select(insts, n=3)] == ids[:3]
    assert [i.instance_id for i in select(insts, slice_text="2:4")] == ids[2:4]
    assert all("sqlfluff" in i.instance_id for i in select(insts, filter_regex="^sqlfluff"))
    assert [i.instance_id for i in select(insts, instance_ids=[ids[5], ids[1]])] == [ids[5], ids[1]]
    a = [i.instance_id for i in select(insts, shuffle=True, seed=1)]
    assert a == [i.instance_id for i in select(insts, shuffle=True, seed=1)] and a != ids and sorted(a) == sorted(ids)
    with pytest.raises(SelectionError, match="nope__nope-1"):
        select(insts, instance_ids=["nope__nope-1"])
    with pytest.raises(SelectionError):
        select(insts, filter_regex="(")
    with pytest.raises(SelectionError):
        select(insts, slice_text="a:b")
    with pytest.raises(SelectionError, match="step cannot be 0"):
        select(insts, slice_text="0:10:0")
    assert [i.instance_id for i in select(insts, slice_text="::5", n=2)] == ids[::5][:2]


def test_missing_local_file_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_instances(str(tmp_path / "nope.jsonl"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_hub_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(HubUnreachableError, match="cannot reach the Hugging Face hub.*--dataset"):
        load_instances("SWE-bench/SWE-bench_Lite")


def test_offline_hub_through_the_cli_prints_one_line(tmp_path):
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"))
    proc = subprocess.run(
        [sys.executable, "-m", "runners.swebench", "--predictions", "gold", "--output", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    assert "--dataset" in lines[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.jsonl", '{"instance_id": "a"}\n{oops\n', "JSON parse error"),
        ("broken.parquet", "not parquet", "broken.parquet as parquet data"),
    ],
)
def test_a_malformed_local_file_is_a_dataset_error_naming_it(tmp_path, name, content, message):
    from runners.swebench.dataset import load_rows

    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DatasetError, match=message) as info:
        load_rows(str(path))
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("name", "content"), [("a.jsonl", ""), ("b.jsonl", "\n  \n"), ("c.json", "[]"), ("d.json", "")]
)
def test_an_empty_dataset_file_is_one_line(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DatasetError, match=r"(is empty: it holds no rows|holds no rows)$") as info:
        load_instances(str(path))
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "image", ["Bad Image", "Bad/x", "a//b", "x:", "repo/UPPER:1", "has space:1", ":latest", "a:b:c"]
)
def test_a_row_whose_image_is_not_a_valid_reference_is_refused_at_load(image):
    rows = _rows(2)
    rows[1]["image"] = image
    with pytest.raises(DatasetError) as info:
        parse_rows(rows)
    text = str(info.value)
    assert text.startswith(f"row 1 (instance {rows[1]['instance_id']}): field image {image!r} is not a valid image")


def test_valid_image_references_pass():
    from runners.swebench.imageref import is_image_reference

    for ref in (
        "swebench/sweb.eval.x86_64.django_1776_django-11099:latest",
        "localhost:5000/a/b:1",
        "ghcr.io/org/img@sha256:" + "a" * 64,
        "patchloop-test-swebench-tiny:0123abcd",
        "amd64.django__django-11099:latest",
    ):
        assert is_image_reference(ref), ref
