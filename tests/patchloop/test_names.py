"""The safe-name rule and the containment proofs every write and delete goes through."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from patchloop.errors import UserError
from patchloop.names import PathOutsideError, UnsafeNameError, check_component, child, inside, remove_tree

BAD = ["", ".", "..", "../..", "/etc", "a/b", "a b/c", "a\x00b", "-rf", ".hidden", "x" * 201, "a\\b", "é"]
GOOD = ["django__django-11099", "psf__requests-2317", "a", "_x", "run.1", "A-b_c.d", "x" * 200]


@pytest.mark.parametrize("name", BAD)
def test_unsafe_names_are_refused_naming_what_and_the_rule(name: str) -> None:
    with pytest.raises(UnsafeNameError, match=r"instance_id .* cannot name a file or folder: use 1-200 characters"):
        check_component(name, "instance_id")


def test_unsafe_name_is_a_user_error() -> None:
    assert issubclass(UnsafeNameError, UserError)
    with pytest.raises(UnsafeNameError):
        check_component(3, "run id")  # not even a string


@pytest.mark.parametrize("name", GOOD)
def test_safe_names_pass(name: str) -> None:
    assert check_component(name, "x") == name


def test_child_and_inside(tmp_path: Path) -> None:
    assert child(tmp_path, "a", "x") == tmp_path / "a"
    with pytest.raises(UnsafeNameError):
        child(tmp_path, "..", "x")
    (tmp_path / "link").symlink_to("/")
    with pytest.raises(PathOutsideError):
        inside(tmp_path, tmp_path / "link" / "etc")


def test_remove_tree_never_leaves_its_root(tmp_path: Path) -> None:
    root = tmp_path / "out"
    victim = tmp_path / "victim"
    (victim / "keep").mkdir(parents=True)
    (root / "inst").mkdir(parents=True)
    (root / "inst" / "f").write_text("x")
    (root / "link").symlink_to(victim)
    remove_tree(root, root / "link")  # removes the link, not what it points to
    assert (victim / "keep").is_dir() and not (root / "link").exists()
    with pytest.raises(PathOutsideError):
        remove_tree(root, root)
    with pytest.raises(PathOutsideError):
        remove_tree(root, victim)
    with pytest.raises(PathOutsideError):
        remove_tree(root, root / ".." / "victim")
    remove_tree(root, root / "inst")
    assert not (root / "inst").exists() and (victim / "keep").is_dir()
    remove_tree(root, root / "missing")  # nothing there: nothing to do
    assert os.listdir(root) == []
