"""Exception types raised by confpy."""

from __future__ import annotations


class ConfigError(Exception):
    """Base class of every confpy error."""


class ParseError(ConfigError):
    """A line of an INI document could not be parsed."""

    def __init__(self, message: str, lineno: int, line: str) -> None:
        super().__init__(f"line {lineno}: {message}: {line!r}")
        self.lineno = lineno
        self.line = line


class InterpolationError(ConfigError):
    """A ${...} reference is unknown or circular."""


class CoercionError(ConfigError, ValueError):
    """A value cannot be converted to the requested type."""


class ArgvError(ConfigError):
    """A command line argument is malformed."""


class ValidationError(ConfigError):
    """One or more values do not match a schema.

    ``errors`` is a list of ``(path, message)`` pairs, where ``path`` is a
    dotted location such as ``"server.port"`` or ``"ports[2]"``.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = list(errors)
        noun = "error" if len(self.errors) == 1 else "errors"
        details = "; ".join(f"{path}: {message}" for path, message in self.errors)
        super().__init__(f"{len(self.errors)} validation {noun}: {details}")
