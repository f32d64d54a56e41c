"""Eval scripts and log parsers from the ``swebench`` package (4.1.0), never rewritten here.

Rows that carry ``eval_script``/``log_parser`` (v5 rows, minibench) use them as they are.
Classic 12-field rows (what the hub serves) get the eval script of swebench's own
``make_test_spec``.

``make_test_spec`` also builds the *environment* script, and for repos whose specs install
from ``requirements.txt`` or ``environment.yml`` (flask, django, sympy, pylint, matplotlib,
xarray, ...) that means fetching the file from raw.githubusercontent.com. The eval script
does not depend on those files at all, so exactly those two fetchers
(``swebench.harness.test_spec.python.get_requirements`` and ``get_environment_yml``) are
replaced, for the duration of the call, by a function that returns a marker comment. The
resulting ``env_script_list``/``env_image_key`` are therefore not the official ones and are
never used by the runner (it runs prebuilt instance images).

Patching a module attribute is process-wide: build specs from one thread (the runner builds
them all up front, before any worker starts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from runners.swebench.dataset import Instance
from runners.swebench.errors import DatasetError

NOT_FETCHED = "# not fetched by patchloop: the eval script does not depend on it"
PARSER_MODULES = ("python", "c", "go", "java", "javascript", "php", "ruby", "rust")

Parser = Callable[[str, Any], dict[str, str]]


def _not_fetched(*_args: Any, **_kwargs: Any) -> str:
    return NOT_FETCHED


def knows_repo_version(instance: Instance) -> bool:
    """True when swebench 4.1.0 has specs for the row's repo and version."""
    from swebench.harness.constants import MAP_REPO_VERSION_TO_SPECS

    return instance.version in MAP_REPO_VERSION_TO_SPECS.get(instance.repo, {})


def classic_test_spec(instance: Instance):
    """swebench 4.1.0's ``TestSpec`` for a classic row, without network access."""
    from swebench.harness.test_spec import python as py_specs
    from swebench.harness.test_spec.test_spec import make_test_spec

    if not knows_repo_version(instance):
        raise DatasetError(
            f"instance {instance.instance_id}: swebench 4.1.0 has no specs for repo {instance.repo} "
            f"version {instance.version!r}; give the row its own eval_script and log_parser fields"
        )
    with (
        mock.patch.object(py_specs, "get_requirements", _not_fetched),
        mock.patch.object(py_specs, "get_environment_yml", _not_fetched),
    ):
        return make_test_spec(instance.row)


def minimal_test_spec(instance: Instance):
    """A ``TestSpec`` carrying only what grading reads, for repos swebench 4.1.0 does not know."""
    from swebench.harness.test_spec.test_spec import TestSpec

    return TestSpec(
        instance_id=instance.instance_id,
        repo=instance.repo,
        version=instance.version,
        repo_script_list=[],
        eval_script_list=[],
        env_script_list=[],
        arch="x86_64",
        FAIL_TO_PASS=instance.fail_to_pass,
        PASS_TO_PASS=instance.pass_to_pass,
        language="py",
        docker_specs={},
        namespace=None,
    )


def test_spec_for(instance: Instance):
    return classic_test_spec(instance) if knows_repo_version(instance) else minimal_test_spec(instance)


def eval_script_for(instance: Instance) -> str:
    """The row's own eval script, else the one swebench 4.1.0 builds from the classic fields."""
    if instance.eval_script:
        return instance.eval_script
    return classic_test_spec(instance).eval_script


def parser_by_name(name: str) -> Parser:
    """A swebench log parser by its function name, e.g. ``parse_log_pytest``."""
    import importlib

    if not name.startswith("parse_log_"):
        raise DatasetError(f"log_parser {name!r} is not a swebench parser name (parse_log_...)")
    for module_name in PARSER_MODULES:
        module = importlib.import_module(f"swebench.harness.log_parsers.{module_name}")
        parser = getattr(module, name, None)
        if callable(parser):
            return parser
    raise DatasetError(f"log_parser {name!r} is not defined by the installed swebench package")


def parser_for(instance: Instance) -> Parser:
    """The row's ``log_parser`` by name when present, else ``MAP_REPO_TO_PARSER[repo]``."""
    from swebench.harness.log_parsers import MAP_REPO_TO_PARSER

    if instance.log_parser:
        return parser_by_name(instance.log_parser)
    try:
        return MAP_REPO_TO_PARSER[instance.repo]
    except KeyError as exc:
        raise DatasetError(
            f"instance {instance.instance_id}: no log parser for repo {instance.repo}; add a log_parser field"
        ) from exc
