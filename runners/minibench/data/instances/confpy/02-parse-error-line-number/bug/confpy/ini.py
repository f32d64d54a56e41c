"""An INI-style parser with sections, comments, continuation lines,
``${section:key}`` interpolation and typed getters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterator

from confpy.coerce import to_bool, to_duration, to_float, to_int, to_list
from confpy.errors import ConfigError, InterpolationError, ParseError

_SECTION_RE = re.compile(r"\[\s*([^\[\]]+?)\s*\]")
_OPTION_RE = re.compile(r"([^=:\s][^=:]*?)\s*[=:]\s*(.*)")
_INLINE_COMMENT_RE = re.compile(r"\s[#;]")
_REFERENCE_RE = re.compile(r"\$(\$|\{([^{}]*)\})")
_MISSING: Any = object()


def _option_key(name: str) -> str:
    """Keys are case-insensitive and '-' is the same as '_'."""
    return name.strip().lower().replace("-", "_")


def _clean_value(raw: str, lineno: int, line: str) -> str:
    raw = raw.strip()
    if raw[:1] in ('"', "'"):
        end = raw.find(raw[0], 1)
        if end == -1:
            raise ParseError("unterminated quoted value", lineno, line)
        rest = raw[end + 1 :].strip()
        if rest and rest[0] not in "#;":
            raise ParseError("unexpected text after a quoted value", lineno, line)
        return raw[1:end]
    match = _INLINE_COMMENT_RE.search(raw)
    return raw[: match.start()].rstrip() if match else raw


class Config:
    """Parsed configuration: sections of string values, interpolated on read."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, str]] = {}

    def sections(self) -> list[str]:
        return list(self._data)

    def has_section(self, section: str) -> bool:
        return section in self._data

    def keys(self, section: str) -> list[str]:
        return list(self._section(section))

    def has(self, section: str, key: str) -> bool:
        return _option_key(key) in self._data.get(section, {})

    def set(self, section: str, key: str, value: Any) -> None:
        self._data.setdefault(section, {})[_option_key(key)] = str(value)

    def raw(self, section: str, key: str) -> str:
        """The value as written in the file, without interpolation."""
        values = self._section(section)
        try:
            return values[_option_key(key)]
        except KeyError:
            raise ConfigError(f"no key {key!r} in section [{section}]") from None

    def get(self, section: str, key: str, fallback: Any = _MISSING) -> Any:
        if fallback is not _MISSING and not self.has(section, key):
            return fallback
        return self._interpolate(section, _option_key(key), ())

    def getint(self, section: str, key: str, fallback: Any = _MISSING) -> Any:
        return self._typed(to_int, section, key, fallback)

    def getfloat(self, section: str, key: str, fallback: Any = _MISSING) -> Any:
        return self._typed(to_float, section, key, fallback)

    def getbool(self, section: str, key: str, fallback: Any = _MISSING) -> Any:
        return self._typed(to_bool, section, key, fallback)

    def getlist(self, section: str, key: str, fallback: Any = _MISSING) -> Any:
        return self._typed(to_list, section, key, fallback)

    def getduration(self, section: str, key: str, fallback: Any = _MISSING) -> Any:
        return self._typed(to_duration, section, key, fallback)

    def as_dict(self) -> dict[str, dict[str, str]]:
        """All sections as plain dicts of interpolated strings."""
        return {name: {key: self.get(name, key) for key in values} for name, values in self._data.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def _section(self, section: str) -> dict[str, str]:
        try:
            return self._data[section]
        except KeyError:
            raise ConfigError(f"no section [{section}]") from None

    def _typed(self, convert: Callable[[str], Any], section: str, key: str, fallback: Any) -> Any:
        if fallback is not _MISSING and not self.has(section, key):
            return fallback
        return convert(self.get(section, key))

    def _interpolate(self, section: str, key: str, chain: tuple[tuple[str, str], ...]) -> str:
        if (section, key) in chain:
            cycle = " -> ".join(f"{s}:{k}" for s, k in chain + ((section, key),))
            raise InterpolationError(f"circular reference: {cycle}")
        raw = self.raw(section, key)
        chain = chain + ((section, key),)

        def replace(match: re.Match[str]) -> str:
            if match.group(1) == "$":
                return "$"
            reference = match.group(2)
            ref_section, _, ref_key = reference.rpartition(":")
            ref_section = ref_section.strip() or section
            if not self.has(ref_section, ref_key):
                raise InterpolationError(
                    f"[{section}] {key}: unknown reference ${{{reference}}}"
                )
            return self._interpolate(ref_section, _option_key(ref_key), chain)

        return _REFERENCE_RE.sub(replace, raw)


def loads(text: str) -> Config:
    """Parse INI text.

    ``#`` and ``;`` start comments (inline only after whitespace); indented
    lines continue the previous value; quoted values keep ``#`` and ``;``.
    """
    config = Config()
    section: str | None = None
    last_key: str | None = None
    for lineno, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if not stripped:
            last_key = None
            continue
        if stripped[0] in "#;":
            continue
        if line[0] in " \t" and last_key is not None and section is not None:
            previous = config._data[section][last_key]
            addition = _clean_value(stripped, lineno, line)
            config._data[section][last_key] = f"{previous}\n{addition}" if previous else addition
            continue
        header = _SECTION_RE.fullmatch(stripped)
        if header:
            section = header.group(1)
            config._data.setdefault(section, {})
            last_key = None
            continue
        option = _OPTION_RE.fullmatch(stripped)
        if option is None:
            raise ParseError("expected '[section]' or 'key = value'", lineno, line)
        if section is None:
            raise ParseError("key outside of any [section]", lineno, line)
        last_key = _option_key(option.group(1))
        config._data[section][last_key] = _clean_value(option.group(2), lineno, line)
    return config


def load(path: str | Path) -> Config:
    """Read and parse a UTF-8 file (a leading byte order mark is ignored)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid UTF-8 at byte {exc.start}; save the file as UTF-8"
        ) from None
    return loads(text)
