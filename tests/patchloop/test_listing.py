"""``python -m patchloop plugins``: built-in plugins and what they register."""

from __future__ import annotations

import json

import pytest

from patchloop.__main__ import main


def test_plugins_lists_builtins_and_their_tools(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {row["name"]: row for row in data["plugins"]}
    assert rows["tools.builtin.plugin"]["builtin"] and rows["tools.builtin.plugin"]["hooks"] == ["register_tools"]
    assert {"bash", "submit"} <= set(data["backends"]["tool"])
    assert main(["plugins"]) == 0
    assert "tools.builtin.plugin  (built-in)  hooks: register_tools" in capsys.readouterr().out
