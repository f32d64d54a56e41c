"""What grades a row: its eval script, log parser and eval type (swebench 5.x needs all three).

swebench 5.x grades a row only when it carries ``eval_script``, ``log_parser`` and
``eval_type`` (and the image to run): it removed the spec tables that built scripts for the
classic 12-field rows. Rows that carry the fields (v5 rows, the bundled benchmark) use them
as they are. A row that lacks some of them is served by joining them from the official
16-field SWE-bench Lite row of the same id, which ships with the runner
(``runners/swebench/lite.py``), after checking that the two rows describe the same task
(same repo, ``base_commit`` and ``test_patch``: the script embeds both). A row that can be
served neither way is refused in one line that names the dataset id to load instead.

A row with an eval script and a parser but no ``eval_type`` is graded ``pass_and_fail``,
or ``fail_only`` for the repos swebench lists in ``FAIL_ONLY_REPOS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from runners.swebench.dataset import Instance
from runners.swebench.errors import DatasetError
from runners.swebench.lite import JOINED_FIELDS, LITE_DATASET, official_row
from runners.swebench.scripts import runtime_body

Parser = Callable[[str, Any], dict[str, str]]
V5_DATASETS = "SWE-bench/SWE-bench, SWE-bench/SWE-bench_Lite or SWE-bench/SWE-bench_Verified"
OLD_NAMESPACE = "princeton-nlp/"


class EvalSpec(BaseModel):
    """The three fields grading needs, and which of them came from the official Lite row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_id: str
    eval_script: str
    log_parser: str
    eval_type: Literal["pass_and_fail", "fail_only"]
    joined: tuple[str, ...] = ()


def _instead(dataset: str | None) -> str:
    """The dataset id that serves the same rows with the v5 fields."""
    if dataset and dataset.startswith(OLD_NAMESPACE):
        return f"--dataset SWE-bench/{dataset[len(OLD_NAMESPACE) :]}"
    return f"a dataset id whose rows carry them ({V5_DATASETS})"


def _join(instance: Instance, missing: list[str], dataset: str | None) -> dict[str, str]:
    iid = instance.instance_id
    official = official_row(iid)
    if official is None:
        raise DatasetError(
            f"instance {iid}: the row has no {'/'.join(missing)}, which swebench 5.x needs to grade it, "
            f"and {iid} is not a SWE-bench Lite id whose official row patchloop ships; load {_instead(dataset)}"
        )
    differ = [key for key in ("repo", "base_commit", "test_patch") if getattr(instance, key) != official[key]]
    if differ:
        raise DatasetError(
            f"instance {iid}: the row has no {'/'.join(missing)} and its {'/'.join(differ)} differ from the "
            f"official SWE-bench Lite row of that id, whose eval script therefore does not fit it; "
            f"load --dataset {LITE_DATASET}, or give the row its own {'/'.join(JOINED_FIELDS)}"
        )
    return {key: official[key] for key in missing}


def spec_for(instance: Instance, dataset: str | None = None) -> EvalSpec:
    """The row's own eval fields, the missing ones joined from the official Lite row.

    ``dataset`` (the ``--dataset`` value) only sharpens the message of a row that cannot
    be served.
    """
    from swebench.harness.constants import FAIL_ONLY_REPOS, EvalType

    fields = {key: getattr(instance, key) for key in JOINED_FIELDS}
    missing = [key for key, value in fields.items() if not value]
    joined: tuple[str, ...] = ()
    if missing and missing != ["eval_type"]:
        fields.update(_join(instance, missing, dataset))
        joined = tuple(missing)
    if not fields["eval_type"]:
        fail_only = instance.repo in FAIL_ONLY_REPOS
        fields["eval_type"] = (EvalType.FAIL_ONLY if fail_only else EvalType.PASS_AND_FAIL).value
    parser_by_name(str(fields["log_parser"]))
    if fields["eval_type"] not in {t.value for t in EvalType}:
        raise DatasetError(
            f"instance {instance.instance_id}: eval_type {fields['eval_type']!r} is not one of "
            f"{', '.join(t.value for t in EvalType)}"
        )
    return EvalSpec(instance_id=instance.instance_id, joined=joined, **fields)


def eval_script_for(instance: Instance, dataset: str | None = None) -> str:
    """The row's eval script as the dataset gives it (the runtime rewrite happens in evaluate)."""
    return spec_for(instance, dataset).eval_script


def parser_by_name(name: str) -> Parser:
    """A log parser of swebench's ``PARSER_REGISTRY`` by name, e.g. ``parse_log_pytest``."""
    from swebench.harness.log_parsers import PARSER_REGISTRY

    try:
        return PARSER_REGISTRY[name]
    except KeyError:
        raise DatasetError(
            f"log_parser {name!r} is not a parser the installed swebench knows (its PARSER_REGISTRY); "
            f"use one of its names, e.g. parse_log_pytest"
        ) from None


def parser_for(instance: Instance) -> Parser:
    return parser_by_name(spec_for(instance).log_parser)


def test_spec_for(instance: Instance):
    """swebench 5.x's ``TestSpec`` of the row, with the script as the harness runs it."""
    from swebench.types import TestSpec

    spec = spec_for(instance)
    return TestSpec(
        instance_id=instance.instance_id,
        image=instance.image or "",
        eval_script_list=runtime_body(spec.eval_script),
        repo=instance.repo,
        version=instance.version,
        FAIL_TO_PASS=instance.fail_to_pass,
        PASS_TO_PASS=instance.pass_to_pass,
        log_parser=spec.log_parser,
        eval_type=spec.eval_type,
    )
