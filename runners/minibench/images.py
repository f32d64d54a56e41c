"""``build-images``: one image per row, ``FROM patchloop-base:bookworm`` with the base repo at /testbed.

/testbed is a fresh git repository holding the single base commit (rebuilt from the
instance folder, and checked against the row's ``base_commit``): nothing of the fix is in
its files, its history, its reflog or its object store.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from runners.minibench import MINIBENCH_DIR
from runners.minibench.errors import ImageBuildError, MinibenchError
from runners.minibench.gitops import init_commit, write_tree
from runners.minibench.spec import InstanceSpec, discover, load_instance

DEFAULT_BASE_IMAGE = "patchloop-base:bookworm"
MINIBENCH_LABEL = "patchloop.minibench"


def base_image() -> str:
    """The image every instance image derives from (``PATCHLOOP_BASE_IMAGE`` overrides it)."""
    return os.environ.get("PATCHLOOP_BASE_IMAGE", DEFAULT_BASE_IMAGE)


def dockerfile(row: Mapping[str, Any], base: str | None = None) -> str:
    return (
        f"FROM {base or base_image()}\n"
        f'LABEL {MINIBENCH_LABEL}="1" {MINIBENCH_LABEL}.instance_id="{row["instance_id"]}" '
        f'{MINIBENCH_LABEL}.base_commit="{row["base_commit"]}"\n'
        "COPY testbed /testbed\n"
        "WORKDIR /testbed\n"
    )


def find_spec(instance_id: str, root: Path = MINIBENCH_DIR) -> InstanceSpec:
    """The instance folder behind ``minibench__<repo>-<NN>``."""
    prefix, _, rest = instance_id.partition("__")
    repo, _, number = rest.rpartition("-")
    if prefix != "minibench" or not repo or not number:
        raise MinibenchError(f"{instance_id!r} is not a minibench instance id (minibench__<repo>-<NN>)")
    matches = [f for f in discover(root, [repo]) if f.name.startswith(f"{number}-")]
    if len(matches) != 1:
        raise MinibenchError(f"{instance_id}: expected one folder instances/{repo}/{number}-*, found {len(matches)}")
    return load_instance(matches[0], root / "repos")


def write_context(row: Mapping[str, Any], context: Path, root: Path = MINIBENCH_DIR) -> None:
    """Fill ``context`` with the Dockerfile and testbed/ (the base git repo)."""
    from runners.minibench.dataset import base_tree

    spec = find_spec(row["instance_id"], root)
    testbed = context / "testbed"
    testbed.mkdir(parents=True)
    write_tree(testbed, base_tree(spec))
    commit = init_commit(testbed, f"Import {spec.repo}", spec.meta.created_at)
    if commit != row["base_commit"]:
        raise MinibenchError(
            f"{row['instance_id']}: the instance folder gives base commit {commit}, the row says "
            f"{row['base_commit']}; the dataset is out of date: run `python -m runners.minibench build-dataset`"
        )
    (context / "Dockerfile").write_text(dockerfile(row), encoding="utf-8")


def image_exists(client: Any, image: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(image)
    except ImageNotFound:
        return False
    return True


def image_is_current(client: Any, row: Mapping[str, Any]) -> bool:
    """True when the row's image exists and was built for the row's base commit."""
    from docker.errors import ImageNotFound

    try:
        labels = client.images.get(row["image"]).labels or {}
    except ImageNotFound:
        return False
    return labels.get(f"{MINIBENCH_LABEL}.base_commit") == row["base_commit"]


def ensure_images(
    rows: Iterable[Mapping[str, Any]],
    *,
    force: bool = False,
    client: Any = None,
    on_image: Callable[[str, str], None] | None = None,
    root: Path = MINIBENCH_DIR,
) -> list[str]:
    """Build the image of every row that lacks one (all of them with ``force``).

    An image built for another base commit (the dataset was regenerated) is rebuilt.
    Returns the image names, in row order. ``on_image(image, "exists"|"built")`` reports
    progress.
    """
    from sandbox import build_image
    from sandbox.engine import connect
    from sandbox.errors import SandboxError

    client = client or connect()
    rows = list(rows)
    for row in rows:
        if not str(row.get("instance_id", "")).startswith("minibench__") or not row.get("image"):
            raise MinibenchError(f"row {row.get('instance_id')!r} is not a minibench row with an image")
    if not image_exists(client, base_image()):
        raise ImageBuildError(f"base image {base_image()} is missing: run scripts/build-base-image.sh")
    names = []
    for row in rows:
        image = row["image"]
        names.append(image)
        if not force and image_is_current(client, row):
            if on_image:
                on_image(image, "exists")
            continue
        with tempfile.TemporaryDirectory(prefix="minibench-image-") as tmp:
            write_context(row, Path(tmp), root)
            try:
                build_image(image, context=tmp, client=client, force=True)
            except SandboxError as exc:
                raise ImageBuildError(f"{row['instance_id']}: {exc}") from exc
        if on_image:
            on_image(image, "built")
    return names
