"""Secret redaction applied to every event before it is written.

Two sources of secrets:
- the values of environment variables whose names look like secrets, by the one rule of
  :mod:`patchloop.secrets` (``*_KEY``, ``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``, ``*_PASS``,
  ``*_CREDENTIALS``, ``*_AUTH``...; read once, when the redactor is made; values shorter
  than ``MIN_SECRET_LENGTH`` (6) characters are ignored, they would redact ordinary words);
- regular expressions, each with a name (``DEFAULT_PATTERNS`` catch common API-key shapes).

Every occurrence in any string (dict keys included) is replaced by ``[REDACTED:NAME]``,
NAME being the variable or pattern name. The agent applies the same redactor to every
message before it is sent to a model, so the file holds exactly what was sent.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from patchloop.secrets import MIN_SECRET_LENGTH, secret_env

DEFAULT_PATTERNS: dict[str, str] = {
    "OPENAI_STYLE_KEY": r"\bsk-[A-Za-z0-9_\-]{20,}",
    "GITHUB_TOKEN_PATTERN": r"\bgh[pousr]_[A-Za-z0-9]{30,}",
    "AWS_ACCESS_KEY_ID": r"\bAKIA[0-9A-Z]{16}\b",
    "HF_TOKEN_PATTERN": r"\bhf_[A-Za-z0-9]{30,}",
}
# DEFAULT_PATTERNS without their word boundaries: they use only characters that JSON never
# escapes, so if a pattern matches inside a string of an event, its loose form matches the
# event's serialized JSON line. Used as a quick pre-check (see ``Redactor.may_match``).
_LOOSE_DEFAULTS = {name: p.replace(r"\b", "") for name, p in DEFAULT_PATTERNS.items()}


class Redactor:
    """Replaces known secret values and pattern matches in strings and nested data."""

    def __init__(
        self,
        secrets: Mapping[str, str] | None = None,
        patterns: Mapping[str, str] | Sequence[str] = (),
    ):
        secrets = dict(secrets or {})
        self._names_by_value: dict[str, str] = {}
        for name, value in sorted(secrets.items()):
            if len(value) >= MIN_SECRET_LENGTH:
                self._names_by_value.setdefault(value, name)
        values = sorted(self._names_by_value, key=len, reverse=True)  # longest first
        self._secret_re = re.compile("|".join(map(re.escape, values))) if values else None
        if not isinstance(patterns, Mapping):
            patterns = {f"PATTERN_{i}": p for i, p in enumerate(patterns)}
        self._precheck = self._build_precheck(values, patterns)
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        for name, pattern in patterns.items():
            try:
                self._patterns.append((re.compile(pattern), f"[REDACTED:{name}]"))
            except re.error as exc:
                raise ValueError(f"redaction pattern {name}={pattern!r} is not a valid regex: {exc}") from exc

    @staticmethod
    def _build_precheck(values: list[str], patterns: Mapping[str, str]) -> re.Pattern[bytes] | None:
        """A bytes regex over a serialized event line that matches whenever redaction could
        change the event; None when no safe pre-check exists (custom patterns)."""
        if any(_LOOSE_DEFAULTS.get(name) is None or patterns[name] != DEFAULT_PATTERNS[name] for name in patterns):
            return None
        alternatives = set()
        for value in values:
            alternatives.add(re.escape(value.encode("utf-8", errors="surrogatepass")))
            escaped = json.dumps(value, ensure_ascii=False)[1:-1]  # as it appears inside a JSON string
            alternatives.add(re.escape(escaped.encode("utf-8", errors="surrogatepass")))
        alternatives.update(_LOOSE_DEFAULTS[name].encode() for name in patterns)
        return re.compile(b"|".join(sorted(alternatives))) if alternatives else None

    def may_match(self, line: bytes) -> bool:
        """False only when redacting the event serialized as ``line`` would change nothing.
        Lets the writer skip the per-string walk for the (usual) clean event."""
        if not self.active:
            return False
        if self._precheck is None:
            return True
        return self._precheck.search(line) is not None

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str] | None = None,
        patterns: Mapping[str, str] | Sequence[str] | None = None,
    ) -> Redactor:
        """Secrets from the environment (default ``os.environ``) plus ``patterns``
        (default ``DEFAULT_PATTERNS``; pass ``{}`` for none)."""
        env = os.environ if environ is None else environ
        return cls(secret_env(env), DEFAULT_PATTERNS if patterns is None else patterns)

    @property
    def active(self) -> bool:
        return self._secret_re is not None or bool(self._patterns)

    @property
    def secret_names(self) -> list[str]:
        return sorted(set(self._names_by_value.values()))

    def text(self, s: str) -> str:
        if self._secret_re is not None:
            s = self._secret_re.sub(self._secret_replacement, s)
        for regex, replacement in self._patterns:
            s = regex.sub(replacement, s)
        return s

    def _secret_replacement(self, match: re.Match[str]) -> str:
        return f"[REDACTED:{self._names_by_value[match.group(0)]}]"

    def value(self, obj: Any) -> Any:
        """A copy of ``obj`` with every string (keys too) redacted; other values as they are."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, BaseModel):
            obj = obj.model_dump(mode="json")
        if isinstance(obj, dict):
            return {(self.text(k) if isinstance(k, str) else k): self.value(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self.value(v) for v in obj]
        return obj
