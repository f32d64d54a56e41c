"""The run's ``--output`` folder: the only place the runner writes or deletes.

Every path comes from here. A run file (``run.json``, ``report.json``...) or an instance
folder is named by a checked single path component (``patchloop.names.check_component``)
and proven to stay under the root (``patchloop.names.inside``); files are replaced
atomically in their folder (a symlink planted at a file's name is replaced, never
followed); an instance folder is deleted only through ``patchloop.names.remove_tree``,
which removes a symlink planted in its place, never what it points to. Instance ids that
would collide with the run's own files are refused when the dataset is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from patchloop.names import PathOutsideError, check_component, inside, remove_tree
from runners.swebench.files import write_json_atomic, write_text_atomic

RUN_FILES = ("run.json", "report.json", "preds.jsonl", "preds.json", "run.lock")


class OutputDir:
    """``root`` and the checked paths under it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def file(self, name: str) -> Path:
        """A file of the run itself, directly under the root."""
        return self.root / check_component(name, "output file")

    def instance(self, instance_id: str) -> Path:
        """The folder of an instance (not made, not resolved)."""
        return self.root / check_component(instance_id, "instance id")

    def owned(self, instance_id: str) -> Path | None:
        """The instance's folder when it is a real folder of this output (not a symlink)."""
        path = self.instance(instance_id)
        if path.is_symlink() or not path.is_dir():
            return None
        inside(self.root, path)
        return path

    def reset(self, instance_id: str) -> Path:
        """An empty folder for a new attempt: what was there (an old attempt, or a symlink
        planted at its name) is removed first, never anything outside the root."""
        path = self.instance(instance_id)
        remove_tree(self.root, path)
        path.mkdir()
        inside(self.root, path)
        return path

    def in_instance(self, instance_id: str, name: str) -> Path:
        """A file in an instance's own folder (made when missing; never through a symlink)."""
        folder = self.instance(instance_id)
        if folder.is_symlink():
            raise PathOutsideError(f"{folder} is a symlink, not a folder of this run; refusing to write through it")
        folder.mkdir(parents=True, exist_ok=True)
        inside(self.root, folder)
        return folder / check_component(name, "instance file")

    def write_json(self, name: str, data: Any) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.file(name), data)

    def write_text(self, name: str, text: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.file(name), text)
