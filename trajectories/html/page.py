"""The page shell: Jinja2 with autoescape, the shared style and script, the CSP by hash."""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _asset(name: str) -> str:
    return resources.files("trajectories.html").joinpath("templates", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def csp(style: str, script: str) -> str:
    """Nothing may load or run but this page's own style and script (and data: images)."""
    return (
        "default-src 'none'; "
        f"style-src '{_sha256(style)}'; "
        f"script-src '{_sha256(script)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


@functools.cache
def _environment(dirs: tuple[str, ...]) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*dirs, str(TEMPLATES)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["seconds"] = seconds
    return env


def money(value: float | None) -> str:
    """USD with 4 decimals; an unknown cost stays unknown (never $0)."""
    return "unknown" if value is None else f"${value:.4f}"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(round(value), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


def render(template: str, *, title: str, dirs: Sequence[Path] = (), **context: Any) -> str:
    """A whole document: ``template`` (which extends base.html.j2) with the page assets."""
    style, script = _asset("page.css"), _asset("page.js")
    env = _environment(tuple(str(d) for d in dirs))
    return env.get_template(template).render(title=title, csp=csp(style, script), style=style, script=script, **context)
