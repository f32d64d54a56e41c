"""A tiny command line parser: ``--key=value``, ``--key value``, ``--flag``,
``--no-flag``, repeated options and dotted names (``--server.port=80``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from confpy.coerce import to_bool
from confpy.errors import ArgvError

KINDS = ("value", "flag", "multi")


@dataclass(frozen=True)
class Option:
    """A declared option. ``multi`` options collect every occurrence in a list."""

    name: str
    kind: str = "value"
    default: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ArgvError(f"option {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")


@dataclass
class ParsedArgs:
    options: dict[str, Any] = field(default_factory=dict)
    positional: list[str] = field(default_factory=list)


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def _store(target: dict[str, Any], dotted: str, value: Any, append: bool) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            raise ArgvError(f"--{dotted}: {part!r} is already set to a value")
        target = child
    if append:
        target.setdefault(leaf, []).append(value)
    else:
        target[leaf] = value


def parse_argv(argv: Sequence[str], options: Iterable[Option] = ()) -> ParsedArgs:
    """Parse ``argv`` (without the program name).

    Undeclared ``--name=value`` options are stored as strings and undeclared
    ``--name`` options as ``True``. ``--`` ends option parsing.
    """
    specs = {_norm(option.name): option for option in options}
    parsed = ParsedArgs()
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "--":
            parsed.positional.extend(argv[index:])
            break
        if not token.startswith("--"):
            parsed.positional.append(token)
            continue
        body, has_value, value = token[2:].partition("=")
        name = _norm(body)
        if not name or name.startswith("."):
            raise ArgvError(f"malformed option {token!r}")
        spec = specs.get(name)
        if spec is None and body.startswith("no-") and not has_value:
            negated = specs.get(_norm(body[3:]))
            if negated is not None and negated.kind == "flag":
                _store(parsed.options, _norm(negated.name), False, append=False)
                continue
        if spec is not None and spec.kind == "flag":
            _store(parsed.options, name, to_bool(value) if has_value else True, append=False)
            continue
        if spec is None and not has_value:
            _store(parsed.options, name, True, append=False)
            continue
        if not has_value:
            if index >= len(argv):
                raise ArgvError(f"option --{body} needs a value")
            value = argv[index]
            index += 1
        _store(parsed.options, name, value, append=spec is not None and spec.kind == "multi")
    for name, spec in specs.items():
        _fill_default(parsed.options, name, spec)
    return parsed


def _fill_default(options: dict[str, Any], dotted: str, spec: Option) -> None:
    *parents, leaf = dotted.split(".")
    target = options
    for part in parents:
        target = target.get(part, {})
        if not isinstance(target, dict):
            return
    if leaf in target:
        return
    if spec.kind == "multi":
        default = list(spec.default or ())
    elif spec.kind == "flag":
        default = bool(spec.default)
    else:
        default = spec.default
    if default is not None:
        _store(options, dotted, default, append=False)
