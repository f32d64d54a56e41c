"""Reference predictions for checking a runner end to end on the benchmark.

Kinds, each a patch against the row's base commit:
  gold       the row's gold patch: every instance resolves;
  empty      no patch: nothing resolves (counted as empty patches);
  wrong      a plausible edit of the file the fix touches that leaves the bug in place;
  break-p2p  the gold patch plus a root ``conftest.py`` that breaks one PASS_TO_PASS test:
             the bug is fixed but the instance must not count as resolved.
Written in the official predictions format (``instance_id``, ``model_name_or_path``,
``model_patch``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runners.minibench import MINIBENCH_DIR
from runners.minibench.errors import MinibenchError
from runners.minibench.gitops import diff_against_head, init_commit, write_tree
from runners.minibench.patches import touched_files

KINDS = ("gold", "empty", "wrong", "break-p2p")

_BREAKER = """\
import pytest

_BROKEN = {nodeid!r}


@pytest.fixture(autouse=True)
def _break_one_test(request):
    if request.node.nodeid == _BROKEN:
        raise AssertionError("this test is broken on purpose by the patch")
"""


def _edited_patch(row: Mapping[str, Any], root: Path, edit: Any) -> str:
    from runners.minibench.dataset import base_tree, tree_files
    from runners.minibench.images import find_spec

    spec = find_spec(row["instance_id"], root)
    base = base_tree(spec)
    with tempfile.TemporaryDirectory(prefix="minibench-pred-") as tmp:
        repo = Path(tmp)
        write_tree(repo, base)
        if init_commit(repo, f"Import {spec.repo}", spec.meta.created_at) != row["base_commit"]:
            raise MinibenchError(f"{row['instance_id']}: dataset out of date; run build-dataset")
        changed = edit(repo, base, tree_files(spec.repo_dir))
        return diff_against_head(repo, sorted(changed))


def wrong_patch(row: Mapping[str, Any], root: Path = MINIBENCH_DIR) -> str:
    """A real edit of the first file the fix touches that does not fix anything."""

    def edit(repo: Path, base: dict[str, bytes], fixed: dict[str, bytes]) -> list[str]:
        path = touched_files(row["patch"])[0]
        text = base[path].decode("utf-8")
        lines = text.splitlines(keepends=True)
        lines.insert(min(1, len(lines)), "# NOTE: reviewed, see the issue tracker\n")
        write_tree(repo, {path: "".join(lines).encode("utf-8")})
        return [path]

    return _edited_patch(row, root, edit)


def break_p2p_patch(row: Mapping[str, Any], root: Path = MINIBENCH_DIR) -> str:
    """The gold fix plus a root conftest.py that makes the first PASS_TO_PASS test error."""
    p2p = json.loads(row["PASS_TO_PASS"])
    if not p2p:
        raise MinibenchError(f"{row['instance_id']} has no PASS_TO_PASS test to break")

    def edit(repo: Path, base: dict[str, bytes], fixed: dict[str, bytes]) -> list[str]:
        if "conftest.py" in base:
            raise MinibenchError(f"{row['instance_id']}: the repo already has a root conftest.py")
        paths = touched_files(row["patch"])
        write_tree(repo, {path: fixed[path] for path in paths})
        write_tree(repo, {"conftest.py": _BREAKER.format(nodeid=p2p[0]).encode("utf-8")})
        return [*paths, "conftest.py"]

    return _edited_patch(row, root, edit)


def make_predictions(rows: Sequence[Mapping[str, Any]], kind: str, root: Path = MINIBENCH_DIR) -> list[dict[str, Any]]:
    if kind not in KINDS:
        raise MinibenchError(f"unknown prediction kind {kind!r}; use one of {', '.join(KINDS)}")
    makers = {
        "gold": lambda row: row["patch"],
        "empty": lambda row: "",
        "wrong": lambda row: wrong_patch(row, root),
        "break-p2p": lambda row: break_p2p_patch(row, root),
    }
    return [
        {"instance_id": row["instance_id"], "model_name_or_path": f"minibench-{kind}", "model_patch": makers[kind](row)}
        for row in rows
    ]
