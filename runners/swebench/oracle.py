"""``--model oracle``: a Model that applies the gold patch THROUGH THE TOOLS, then submits.

It checks the whole pipeline (sandbox, tools, trajectory, patch extraction, evaluation)
without an LLM: resolved must equal the gold resolved rate. Every report of such a run
says ``"oracle": true``.

The plan, chosen from the tool schemas the agent offers:
1. write the gold diff to ``/tmp/patchloop_gold.diff`` with the editor's ``create``
   command when an editor tool exists, else with a bash heredoc;
2. ``git apply`` it in the repository with the bash tool (``patch`` as a fallback);
3. call ``submit``.
The step is the number of assistant messages already in the conversation, so a retried
query gives the same answer.
"""

from __future__ import annotations

import json
from typing import Any

ORACLE_NAME = "oracle"
DIFF_PATH = "/tmp/patchloop_gold.diff"
_HEREDOC = "PATCHLOOP_GOLD_EOF"


class OracleError(Exception):
    """The agent offers no tool the oracle can apply the patch with."""


def _schema_props(tool: dict) -> dict[str, Any]:
    return ((tool.get("function") or {}).get("parameters") or {}).get("properties") or {}


def _find(tools: list[dict], predicate) -> str | None:
    for tool in tools:
        if predicate(tool):
            return (tool.get("function") or {}).get("name")
    return None


def _is_bash(tool: dict) -> bool:
    props = _schema_props(tool)
    return "command" in props and "enum" not in props["command"] and "path" not in props


def _is_editor(tool: dict) -> bool:
    props = _schema_props(tool)
    commands = (props.get("command") or {}).get("enum") or []
    return "create" in commands and "path" in props and "file_text" in props


def _is_submit(tool: dict) -> bool:
    return (tool.get("function") or {}).get("name") == "submit"


class OracleModel:
    """Implements ``agent.models.base.Model`` for one instance's gold patch."""

    def __init__(self, gold_patch: str) -> None:
        if not gold_patch.strip():
            raise OracleError("the instance has no gold patch to apply")
        self.name = ORACLE_NAME
        self.gold_patch = gold_patch
        self.params: dict[str, Any] = {}

    def _plan(self, tools: list[dict]) -> list[tuple[str, dict[str, Any]]]:
        bash = _find(tools, _is_bash)
        editor = _find(tools, _is_editor)
        submit = _find(tools, _is_submit)
        if bash is None or submit is None:
            names = [(t.get("function") or {}).get("name") for t in tools]
            raise OracleError(f"the oracle needs a bash tool and a submit tool; the agent offers {names}")
        if editor is not None:
            write = (editor, {"command": "create", "path": DIFF_PATH, "file_text": self.gold_patch})
        else:
            body = self.gold_patch if self.gold_patch.endswith("\n") else self.gold_patch + "\n"
            write = (bash, {"command": f"cat > {DIFF_PATH} <<'{_HEREDOC}'\n{body}{_HEREDOC}"})
        apply = (
            bash,
            {"command": f"git apply --verbose {DIFF_PATH} || patch --batch --fuzz=5 -p1 -i {DIFF_PATH}"},
        )
        return [write, apply, (submit, {})]

    def query(self, messages: list[dict], tools: list[dict]):
        from agent.models.base import ModelReply, Usage

        plan = self._plan(tools)
        step = sum(1 for m in messages if m.get("role") == "assistant")
        name, arguments = plan[min(step, len(plan) - 1)]
        message = {
            "role": "assistant",
            "content": f"Oracle step {step + 1}: {name}",
            "tool_calls": [
                {
                    "id": f"oracle-{step}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
            ],
        }
        return ModelReply(
            message=message,
            usage=Usage(),
            cost_usd=0.0,
            latency_ms=0.0,
            attempts=1,
            response_id=f"oracle-{step}",
            finish_reason="tool_calls",
        )
