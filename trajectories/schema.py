"""The JSON Schema of one trajectory line, generated from the pydantic models.

The checked-in copy is ``trajectories/schema.json``; regenerate it with
``python -m trajectories schema > trajectories/schema.json`` (a test fails when stale).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trajectories.events import EVENT_ADAPTER, SCHEMA_VERSION

SCHEMA_PATH = Path(__file__).with_name("schema.json")


def event_schema() -> dict[str, Any]:
    schema = EVENT_ADAPTER.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://patchloop.dev/schema/trajectory-event-v{SCHEMA_VERSION}.json",
        "title": f"patchloop trajectory event (schema v{SCHEMA_VERSION})",
        "description": "One line of a patchloop JSONL trajectory file.",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(event_schema(), indent=2, sort_keys=True) + "\n"
