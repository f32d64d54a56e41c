"""The oracle model plans its calls from the real tool schemas."""

from __future__ import annotations

import json

import pytest

from runners.swebench.oracle import DIFF_PATH, OracleError, OracleModel

GOLD = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"


def _schemas():
    from tools.registry import ToolRegistry

    return ToolRegistry.with_builtins().schemas()


def _calls(model, tools):
    messages, calls = [{"role": "user", "content": "fix"}], []
    for _ in range(3):
        reply = model.query(messages, tools)
        messages.append(reply.message)
        calls.append(reply.message["tool_calls"][0]["function"])
    return [(c["name"], json.loads(c["arguments"])) for c in calls]


def test_editor_create_then_git_apply_then_submit():
    calls = _calls(OracleModel(GOLD), _schemas())
    (_editor, create), (bash, apply), (submit, _) = calls
    assert create == {"command": "create", "path": DIFF_PATH, "file_text": GOLD}
    assert bash == "bash" and apply["command"].startswith(f"git apply --verbose {DIFF_PATH}")
    assert submit == "submit"


def test_bash_heredoc_without_an_editor():
    tools = [t for t in _schemas() if t["function"]["name"] in ("bash", "submit")]
    (name, args), _, _ = _calls(OracleModel(GOLD), tools)
    assert name == "bash" and GOLD in args["command"] and DIFF_PATH in args["command"]


def test_missing_tools_and_empty_gold_are_errors():
    with pytest.raises(OracleError, match="bash tool and a submit tool"):
        OracleModel(GOLD).query([], [])
    with pytest.raises(OracleError):
        OracleModel("  ")
