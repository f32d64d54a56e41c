"""Checks that a generated HTML page is safe to open: nothing from the data can run."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def check_safe(page: str) -> Elements:
    """No element from the data: one script (ours, hash-pinned by the CSP), no handler attribute."""
    parsed = Elements()
    parsed.feed(page)
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert not [(t, a) for t, a in parsed.tags if any(k.startswith("on") for k in a)]
    assert not [t for t, _ in parsed.tags if t in ("img", "iframe", "object", "embed", "textarea")]
    [csp] = [a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp
    digest = base64.b64encode(hashlib.sha256(parsed.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    return parsed
