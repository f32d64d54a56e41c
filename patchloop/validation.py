"""One formatter for pydantic validation errors, so every CLI says them the same way.

``explain(exc, origin=..., prefix=...)`` gives one line per problem: the dotted key, what
was wrong, where the value came from (a file, a ``-c`` override, a row) when known, and
for an unknown key the closest valid one.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping

from pydantic import BaseModel, ValidationError


def explain(
    exc: ValidationError,
    *,
    origin: Mapping[str, str] | Callable[[list[str]], str | None] | None = None,
    prefix: str = "",
    model: type[BaseModel] | None = None,
    title: str = "invalid configuration",
) -> str:
    """``title: key: problem (in source)``; several problems go on indented lines."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = [str(part) for part in err["loc"]]
        dotted = ".".join(filter(None, [prefix, *loc]))
        source = _source(loc, origin)
        where = f" (in {source})" if source else ""
        if err["type"] == "extra_forbidden":
            hint = suggest(dotted, model_keys(model, prefix)) if model else ""
            lines.append(f"unknown key {dotted!r}{where}{hint}")
        else:
            lines.append(f"{dotted or 'value'}: {err['msg']}{where}")
    if len(lines) == 1:
        return f"{title}: {lines[0]}"
    return f"{title}:\n  " + "\n  ".join(lines)


def _source(loc: list[str], origin: Mapping[str, str] | Callable[[list[str]], str | None] | None) -> str | None:
    if origin is None:
        return None
    if callable(origin):
        return origin(loc)
    for end in range(len(loc), 0, -1):
        found = origin.get(".".join(loc[:end]))
        if found:
            return found
    return "defaults"


def model_keys(model: type[BaseModel] | None, prefix: str = "") -> list[str]:
    """Every dotted key of ``model`` and its nested models."""
    keys: list[str] = []

    def walk(current: type[BaseModel], at: str) -> None:
        for name, field in current.model_fields.items():
            dotted = f"{at}{name}"
            keys.append(dotted)
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{dotted}.")

    if model is not None:
        walk(model, f"{prefix}." if prefix else "")
    return keys


def suggest(dotted: str, candidates: Iterable[str]) -> str:
    """'; did you mean ...?' from the closest candidate, or the same leaf in another section."""
    pool = list(candidates)
    close = difflib.get_close_matches(dotted, pool, n=1, cutoff=0.6)
    if not close:
        leaf = dotted.rsplit(".", 1)[-1]
        close = [c for c in pool if c.rsplit(".", 1)[-1] == leaf][:1]
    return f"; did you mean {close[0]!r}?" if close else ""
