"""The bundled offline benchmark: three small repos, thirty bug-fix instances, SWE-bench rows.

``DATASET_PATH`` is the checked-in ``minibench.jsonl``; ``ensure_images(rows)`` builds the
instance images that are missing (the runner calls it for ``--dataset minibench``).
See docs/minibench.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

# Data, not code: the repositories, bug overlays and rows live in data/ (copied into
# images, excluded from lint and type checks).
MINIBENCH_DIR = Path(__file__).resolve().parent / "data"
DATASET_PATH = MINIBENCH_DIR / "minibench.jsonl"


def ensure_images(
    rows: Iterable[Mapping[str, Any]],
    *,
    force: bool = False,
    client: Any = None,
    on_image: Callable[[str, str], None] | None = None,
) -> list[str]:
    """Build the instance images of ``rows`` that do not exist yet; return the image names.

    Lazy wrapper, so importing the package never imports docker.
    """
    from runners.minibench.images import ensure_images as _ensure

    return _ensure(rows, force=force, client=client, on_image=on_image)


__all__ = ["DATASET_PATH", "MINIBENCH_DIR", "ensure_images"]
