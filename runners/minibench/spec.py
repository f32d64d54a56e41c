"""Loading an authored instance folder (``instances/<repo>/<NN>-<slug>/``) and its format rules."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from runners.minibench.errors import InstanceRuleError

KINDS = (
    "wrong-condition",
    "off-by-one",
    "missing-case",
    "wrong-default",
    "encoding",
    "two-files",
    "new-function",
    "other",
)
# Every repository needs at least one instance of each of these kinds (rule 4).
REQUIRED_KINDS = tuple(kind for kind in KINDS if kind != "other")

_DIR_NAME = re.compile(r"^(?P<nn>\d{2})-(?P<slug>[a-z0-9][a-z0-9-]*)$")
_REPO_NAME = re.compile(r"^[a-z][a-z0-9]*$")
_IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".git", ".mypy_cache", ".ruff_cache"}


class Meta(BaseModel):
    """The ``meta.yaml`` of an instance."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[KINDS]  # type: ignore[valid-type]
    FAIL_TO_PASS: list[str] = Field(min_length=1)
    created_at: str
    hints_text: str = ""

    @field_validator("created_at")
    @classmethod
    def _iso_utc(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", value):
            raise ValueError("must look like 2026-10-03T09:12:00Z")
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        return value

    @field_validator("FAIL_TO_PASS")
    @classmethod
    def _node_ids(cls, value: list[str]) -> list[str]:
        for node in value:
            if "::" not in node or any(ch.isspace() for ch in node):
                raise ValueError(f"{node!r} is not a pytest node id without spaces (path::test)")
        if len(set(value)) != len(value):
            raise ValueError("lists a test twice")
        return value


class InstanceSpec(BaseModel):
    """An instance as authored: the fixed repo it starts from, and its overlays."""

    model_config = ConfigDict(extra="forbid")

    repo: str
    number: str
    slug: str
    folder: Path
    repo_dir: Path
    meta: Meta
    problem_statement: str
    bug_files: dict[str, bytes]
    test_files: dict[str, bytes]

    @property
    def instance_id(self) -> str:
        return f"minibench__{self.repo}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.instance_id} ({self.folder.parent.name}/{self.folder.name})"


def is_test_path(path: str) -> bool:
    """True for test files as the benchmark counts them (``tests/...`` or ``test_*.py``)."""
    parts = path.split("/")
    return parts[0] in ("tests", "test") or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


def tree_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (caches left out), keyed by its posix path relative to root."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in _IGNORED_PARTS for part in rel.parts) or path.suffix == ".pyc":
            continue
        if path.is_file():
            files[rel.as_posix()] = path.read_bytes()
    return files


def _overlay(folder: Path, label: str, what: str) -> dict[str, bytes]:
    root = folder / what
    if not root.is_dir():
        raise InstanceRuleError(label, "format", f"missing folder {what}/ (see docs/minibench.md)")
    files = tree_files(root)
    if not files:
        raise InstanceRuleError(label, "format", f"{what}/ holds no files")
    return files


def load_instance(folder: Path, repos_root: Path) -> InstanceSpec:
    """Read one instance folder, checking the format rules (not the behavioural ones)."""
    repo = folder.parent.name
    label = f"{repo}/{folder.name}"
    match = _DIR_NAME.match(folder.name)
    if not match:
        raise InstanceRuleError(label, "format", "folder name must be <NN>-<slug>, e.g. 03-csv-quotes")
    if not _REPO_NAME.match(repo):
        raise InstanceRuleError(label, "format", f"repo name {repo!r} must be lowercase letters and digits")
    repo_dir = repos_root / repo
    if not repo_dir.is_dir():
        raise InstanceRuleError(label, "format", f"no fixed tree at {repo_dir}")
    meta_path = folder / "meta.yaml"
    if not meta_path.is_file():
        raise InstanceRuleError(label, "format", "missing meta.yaml")
    try:
        raw = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        meta = Meta.model_validate(raw if raw is not None else {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise InstanceRuleError(label, "format", f"meta.yaml is invalid: {exc}") from exc
    problem_path = folder / "problem.md"
    if not problem_path.is_file() or not problem_path.read_text(encoding="utf-8").strip():
        raise InstanceRuleError(label, "format", "missing or empty problem.md")
    problem = problem_path.read_text(encoding="utf-8")
    bug_files = _overlay(folder, label, "bug")
    test_files = _overlay(folder, label, "tests")
    fixed = tree_files(repo_dir)
    for path, data in bug_files.items():
        if is_test_path(path):
            raise InstanceRuleError(label, "format", f"bug/{path} is a test file; bug/ holds source files only")
        if path not in fixed:
            raise InstanceRuleError(label, "format", f"bug/{path} has no counterpart in repos/{repo}/{path}")
        if fixed[path] == data:
            raise InstanceRuleError(label, "format", f"bug/{path} is identical to the fixed file")
    for path, data in test_files.items():
        if not is_test_path(path) or not path.endswith(".py"):
            raise InstanceRuleError(
                label, "format", f"tests/{path} is not a test file path (want e.g. tests/test_x.py)"
            )
        if fixed.get(path) == data:
            raise InstanceRuleError(label, "format", f"tests/{path} is identical to the base test file")
    for node in meta.FAIL_TO_PASS:
        if node.split("::", 1)[0] not in test_files:
            raise InstanceRuleError(label, "format", f"FAIL_TO_PASS {node} is not in a file of the tests/ overlay")
    return InstanceSpec(
        repo=repo,
        number=match["nn"],
        slug=match["slug"],
        folder=folder,
        repo_dir=repo_dir,
        meta=meta,
        problem_statement=problem,
        bug_files=bug_files,
        test_files=test_files,
    )


def discover(root: Path, repos: list[str] | None = None) -> list[Path]:
    """Instance folders under ``root/instances``, sorted by repo then number."""
    base = root / "instances"
    if not base.is_dir():
        return []
    folders = []
    for repo_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        if repos and repo_dir.name not in repos:
            continue
        folders.extend(sorted(p for p in repo_dir.iterdir() if p.is_dir() and not p.name.startswith(".")))
    return folders
