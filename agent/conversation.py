"""The conversation of one run: what was said, what is sent, and the hash of the request.

Every message is redacted as it enters (the trajectory writer's placeholder rule,
``[REDACTED:NAME]``), so what is sent to the model is exactly what the file holds and
``model_call.request.sha256`` (sha256 over each sent message's canonical JSON line) can
be checked from the file. ``messages`` keeps every message whole; ``sent`` is the same
list with older observations compacted when a request did not fit.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from agent.context import choose_compaction, content_chars
from trajectories.trajectory import message_line

if TYPE_CHECKING:
    from agent.config import ContextConfig
    from trajectories.redact import Redactor


class Conversation:
    def __init__(self, redactor: Redactor | None = None) -> None:
        self.messages: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.compacted: set[int] = set()
        self._redactor = redactor if redactor is not None and redactor.active else None
        self._digest = hashlib.sha256()

    def add(self, message: dict[str, Any]) -> dict[str, Any]:
        """Append ``message`` redacted; returns what was appended (what will be sent)."""
        line = message_line(message)
        if self._redactor is not None and self._redactor.may_match(line):
            message = self._redactor.value(message)
            line = message_line(message)
        self.messages.append(message)
        self.sent.append(message)
        self._digest.update(line)
        return message

    def request(self) -> dict[str, Any]:
        """``model_call.request``: the size and hash of what is sent now."""
        return {"n_messages": len(self.sent), "sha256": self._digest.hexdigest()}

    def compact(self, config: ContextConfig, reason: str) -> dict[str, Any] | None:
        """Elide older observations in what is sent; the ``context`` event's payload, or
        None when nothing is left to compact."""
        chosen = choose_compaction(
            self.sent,
            self.compacted,
            keep_recent=config.keep_recent,
            min_chars=config.min_chars,
            placeholder=config.placeholder,
        )
        if not chosen:
            return None
        before = content_chars(self.sent)
        for index in chosen:
            self.sent[index] = {**self.sent[index], "content": config.placeholder}
            self.compacted.add(index)
        self._digest = hashlib.sha256()
        for message in self.sent:
            self._digest.update(message_line(message))
        return {
            "reason": reason[:2000],
            "compacted": chosen,
            "replacement": config.placeholder,
            "n_messages": len(self.sent),
            "chars_before": before,
            "chars_after": content_chars(self.sent),
        }
