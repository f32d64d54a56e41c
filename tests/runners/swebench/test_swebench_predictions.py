"""Predictions files: the official format, and every bad row named by file and line."""

from __future__ import annotations

import json

import pytest

from runners.swebench.cli import parse_args
from runners.swebench.dataset import parse_row
from runners.swebench.errors import PredictionsError, RunnerError, SelectionError
from runners.swebench.predictions import load_predictions
from runners.swebench.run import choose


def _instance(iid):
    return parse_row(
        {
            "instance_id": iid,
            "repo": "o/r",
            "base_commit": "abc",
            "patch": f"gold {iid}",
            "test_patch": "t",
            "problem_statement": "p",
            "FAIL_TO_PASS": "[]",
            "PASS_TO_PASS": "[]",
            "version": "1.0",
        }
    )


INSTANCES = [_instance("a__a-1"), _instance("b__b-2")]
GOOD = {"instance_id": "a__a-1", "model_name_or_path": "m1", "model_patch": "diff"}


def _jsonl(tmp_path, *lines):
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    return path


def test_gold_empty_and_official_files(tmp_path):
    assert load_predictions("gold", INSTANCES) == ("gold", {"a__a-1": "gold a__a-1", "b__b-2": "gold b__b-2"})
    assert load_predictions("empty", INSTANCES)[1] == {"a__a-1": "", "b__b-2": ""}
    path = _jsonl(tmp_path, json.dumps(GOOD), "", json.dumps({**GOOD, "instance_id": "b__b-2", "model_patch": None}))
    assert load_predictions(str(path), INSTANCES) == ("m1", {"a__a-1": "diff", "b__b-2": None})
    as_list = tmp_path / "preds.json"
    as_list.write_text(json.dumps([GOOD]))
    assert load_predictions(str(as_list), INSTANCES) == ("m1", {"a__a-1": "diff"})
    as_dict = tmp_path / "by_id.json"
    as_dict.write_text(json.dumps({"a__a-1": {"model_patch": "d2"}}))
    assert load_predictions(str(as_dict), INSTANCES) == ("by_id", {"a__a-1": "d2"})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"instance_id": "a__a-1", "model_name_or_path": "m"}', "preds.jsonl:3: missing model_patch"),
        ('{"model_patch": "d"}', "preds.jsonl:3: missing instance_id"),
        ('{"instance_id": "zz__z-9", "model_patch": "d"}', "preds.jsonl:3: instance 'zz__z-9' is not in the dataset"),
        ("{oops", "preds.jsonl:3: not valid JSON"),
        ("[1, 2]", "preds.jsonl:3: expected an object"),
        ('{"instance_id": "b__b-2", "model_patch": 5}', "preds.jsonl:3: model_patch of b__b-2 is not a string"),
        (json.dumps(GOOD), "preds.jsonl:3: a second prediction for a__a-1"),
    ],
)
def test_a_bad_jsonl_row_is_named_by_file_and_line(tmp_path, line, message):
    path = _jsonl(tmp_path, json.dumps(GOOD), "", line)  # line 2 is blank: numbering counts it
    with pytest.raises(PredictionsError) as info:
        load_predictions(str(path), INSTANCES)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_json_files_name_the_entry_or_the_line(tmp_path):
    as_list = tmp_path / "preds.json"
    as_list.write_text(json.dumps([GOOD, {"instance_id": "b__b-2"}]))
    with pytest.raises(PredictionsError, match=r"preds\.json: prediction 1: missing model_patch"):
        load_predictions(str(as_list), INSTANCES)
    broken = tmp_path / "broken.json"
    broken.write_text('[\n{"instance_id": "a__a-1",\n oops}\n]')
    with pytest.raises(PredictionsError, match=r"broken\.json:3: not valid JSON"):
        load_predictions(str(broken), INSTANCES)
    with pytest.raises(PredictionsError, match="does not exist"):
        load_predictions(str(tmp_path / "missing.jsonl"), INSTANCES)


def test_selectors_pick_among_the_predicted_instances(tmp_path):
    instances = [_instance(f"r__r-{k}") for k in range(10)]
    preds = {"r__r-7": "d7", "r__r-8": "d8"}

    def chosen(*argv):
        return [inst.instance_id for inst in choose(parse_args(["--predictions", "p.jsonl", *argv]), instances, preds)]

    assert chosen("--n", "1") == ["r__r-7"]  # not the dataset's first row, which has no prediction
    assert chosen() == ["r__r-7", "r__r-8"]
    assert chosen("--slice", "1:") == ["r__r-8"]
    with pytest.raises(PredictionsError, match="p.jsonl has no prediction for r__r-2"):
        chosen("--instance-ids", "r__r-2")
    with pytest.raises(SelectionError, match="unknown instance id"):
        chosen("--instance-ids", "zz__z-1")
    with pytest.raises(RunnerError, match="none of the 2 instances with a prediction"):
        chosen("--filter", "r-1$")
