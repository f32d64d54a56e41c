"""ToolRegistry: registration, conflicts, selection, and call() that never raises."""

import json

import pytest
from pydantic import BaseModel

from tools import (
    DuplicateToolError,
    Tool,
    ToolContext,
    ToolDefinitionError,
    ToolRegistry,
    ToolResult,
    UnknownToolError,
    build_registry,
    tool,
)
from tools.builtin import BUILTIN_NAMES

CTX = ToolContext(sandbox=None, workdir="/w", run_id="r")


@tool
def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


@tool
def explode(message: str) -> str:
    """Raise."""
    raise RuntimeError(message)


class Counter(Tool):
    name = "count"
    description = "Count calls."

    class Params(BaseModel):
        step: int = 1

    def __init__(self) -> None:
        self.total = 0

    def run(self, params, ctx):
        self.total += params.step
        return ToolResult(ok=True, content=str(self.total), exit_code=0)


@pytest.fixture
def reg() -> ToolRegistry:
    registry = ToolRegistry()
    registry.register(add)
    registry.register(explode)
    return registry


def test_with_builtins_names_and_schemas():
    registry = ToolRegistry.with_builtins()
    assert registry.names() == list(BUILTIN_NAMES)
    schemas = registry.schemas()
    assert [s["function"]["name"] for s in schemas] == list(BUILTIN_NAMES)
    assert all(s["type"] == "function" and s["function"]["parameters"]["type"] == "object" for s in schemas)
    assert registry.source("bash") == "builtin"
    json.dumps(schemas)  # plain JSON, ready for any provider


def test_each_registry_has_its_own_stateful_instances():
    one, two = ToolRegistry.with_builtins(), ToolRegistry.with_builtins()
    assert one.get("str_replace_editor") is not two.get("str_replace_editor")
    one.register(Counter)
    two.register(Counter)
    one.call("count", {}, CTX)
    assert one.get("count").total == 1 and two.get("count").total == 0


def test_schemas_are_copies():
    registry = ToolRegistry()
    registry.register(add)
    registry.schemas()[0]["function"]["parameters"]["properties"].clear()
    assert "a" in registry.schemas()[0]["function"]["parameters"]["properties"]


def test_call_with_json_string_and_dict(reg):
    for arguments in ('{"a": 2, "b": 3}', {"a": 2, "b": 3}):
        result = reg.call("add", arguments, CTX)
        assert result.ok and result.content == "5" and result.error_type is None
        assert result.duration_ms > 0


def test_lax_coercion_of_numeric_strings(reg):
    assert reg.call("add", '{"a": "2"}', CTX).content == "3"


@pytest.mark.parametrize("arguments", ["", "  ", "null", None])
def test_empty_arguments_mean_no_arguments(arguments):
    registry = ToolRegistry()
    registry.register(Counter)
    assert registry.call("count", arguments, CTX).content == "1"


def test_unknown_tool_lists_known_ones(reg):
    result = reg.call("ad", "{}", CTX)
    assert not result.ok and result.error_type == "unknown_tool"
    assert "'ad'" in result.content and "add, explode" in result.content


def test_non_string_name_is_unknown_tool(reg):
    result = reg.call(None, "{}", CTX)
    assert result.error_type == "unknown_tool"


def test_invalid_json_says_where_and_what_is_expected(reg):
    result = reg.call("add", '{"a": 1,', CTX)
    assert not result.ok and result.error_type == "invalid_json"
    assert "not valid JSON" in result.content and "line 1 column" in result.content
    assert "a (integer, required)" in result.content and "b (integer, optional)" in result.content


@pytest.mark.parametrize(
    "arguments, kind",
    [("[1, 2]", "an array"), ('"x"', "a string"), ("3", "a number"), (7, "a number"), ({1, 2}, "a set")],
)
def test_arguments_that_are_not_an_object(reg, arguments, kind):
    result = reg.call("add", arguments, CTX)
    assert result.error_type == "invalid_arguments"
    assert f"must be a JSON object, not {kind}" in result.content


@pytest.mark.parametrize(
    "arguments",
    [
        json.dumps(json.dumps({"a": 2, "b": 3})),  # the object, JSON-encoded twice
        json.dumps(" " + json.dumps({"a": 2, "b": 3})),
        json.dumps({"a": 2, "b": 3}),
    ],
)
def test_arguments_encoded_twice_are_taken(reg, arguments):
    """Some models send the arguments object JSON-encoded once more, as a string."""
    result = reg.call("add", arguments, CTX)
    assert result.ok and result.content == "5", result.content


@pytest.mark.parametrize("arguments", [json.dumps("{not json"), json.dumps(json.dumps("{}"))])
def test_a_string_that_is_not_an_encoded_object_is_refused(reg, arguments):
    result = reg.call("add", arguments, CTX)
    assert result.error_type == "invalid_arguments"
    assert "must be a JSON object, not a string" in result.content


def test_missing_argument(reg):
    result = reg.call("add", "{}", CTX)
    assert result.error_type == "invalid_arguments"
    assert "- a: required argument is missing" in result.content


def test_extra_argument(reg):
    result = reg.call("add", '{"a": 1, "c": 2}', CTX)
    assert result.error_type == "invalid_arguments"
    assert "- c: unexpected argument" in result.content


def test_wrong_type(reg):
    result = reg.call("add", '{"a": "one"}', CTX)
    assert result.error_type == "invalid_arguments"
    assert "- a: Input should be a valid integer" in result.content and "(got 'one')" in result.content


def test_several_errors_at_once_and_nested_locations():
    class Point(BaseModel):
        x: int

    @tool
    def plot(points: list[Point], title: str) -> str:
        """Plot."""
        return ""

    registry = ToolRegistry()
    registry.register(plot)
    result = registry.call("plot", {"points": [{"x": 1}, {"x": "no"}], "extra": 1}, CTX)
    lines = result.content.splitlines()
    assert lines[0] == "Error: invalid arguments for 'plot':"
    assert any(line.startswith("- points.1.x: Input should be a valid integer") for line in lines)
    assert "- title: required argument is missing" in lines
    assert "- extra: unexpected argument" in lines
    assert lines[-1] == "'plot' takes: points (array of object, required), title (string, required)."


def test_literal_violation_lists_allowed_values():
    registry = ToolRegistry.with_builtins()
    result = registry.call("str_replace_editor", {"command": "delete", "path": "x"}, CTX)
    assert result.error_type == "invalid_arguments"
    assert "'view', 'create', 'str_replace', 'insert' or 'undo_edit'" in result.content


def test_exception_inside_tool_becomes_result(reg):
    result = reg.call("explode", {"message": "boom"}, CTX)
    assert not result.ok
    assert result.error_type == "builtins.RuntimeError"
    assert result.content == "Error: tool 'explode' failed: RuntimeError: boom"


def test_keyboard_interrupt_is_not_swallowed():
    @tool
    def interrupt() -> str:
        """Stop."""
        raise KeyboardInterrupt

    registry = ToolRegistry()
    registry.register(interrupt)
    with pytest.raises(KeyboardInterrupt):
        registry.call("interrupt", {}, CTX)


def test_return_values_are_normalised():
    class Out(BaseModel):
        n: int

    @tool
    def as_dict() -> dict:
        """d"""
        return {"k": [1, 2]}

    @tool
    def as_model() -> Out:
        """m"""
        return Out(n=3)

    @tool
    def as_none() -> None:
        """n"""

    registry = ToolRegistry()
    for item in (as_dict, as_model, as_none):
        registry.register(item)
    assert registry.call("as_dict", {}, CTX).content == '{"k": [1, 2]}'
    assert registry.call("as_model", {}, CTX).content == '{"n":3}'
    assert registry.call("as_none", {}, CTX).content == ""


def test_tool_result_fields_pass_through():
    registry = ToolRegistry()
    registry.register(Counter)
    result = registry.call("count", {"step": 4}, CTX)
    assert result.content == "4" and result.exit_code == 0


def test_huge_output_is_capped_by_registry():
    @tool
    def flood() -> str:
        """Flood."""
        return "\n".join(f"line {i}" for i in range(100_000))

    registry = ToolRegistry(max_output_chars=2_000)
    registry.register(flood)
    result = registry.call("flood", {}, CTX)
    assert result.truncated and len(result.content) < 2_300
    assert result.content.startswith("line 0\n") and result.content.endswith("line 99999")
    assert "output truncated" in result.content


def test_register_plain_function_and_name_override():
    def mul(a: int, b: int) -> int:
        """Multiply."""
        return a * b

    registry = ToolRegistry()
    registry.register(mul)
    registry.register(add, name="plus")
    assert registry.names() == ["mul", "plus"]
    assert registry.call("mul", {"a": 3, "b": 4}, CTX).content == "12"
    assert registry.call("plus", {"a": 3}, CTX).content == "4"
    assert add.name == "add"  # renaming made a copy
    assert registry.schemas()[1]["function"]["name"] == "plus"


def test_duplicate_names_both_sources_in_error():
    registry = ToolRegistry.with_builtins()

    @tool(name="bash")
    def my_bash(command: str) -> str:
        """Mine."""
        return command

    with pytest.raises(DuplicateToolError) as info:
        registry.register(my_bash, source="plugin 'mine'")
    message = str(info.value)
    assert "'bash'" in message and "builtin" in message and "plugin 'mine'" in message
    assert "override=True" in message
    assert type(registry.get("bash")).__name__ == "BashTool"  # the built-in is untouched


def test_duplicate_default_sources_name_the_functions():
    registry = ToolRegistry()
    registry.register(add)

    @tool(name="add")
    def other_add(a: int) -> int:
        """Other."""
        return a

    with pytest.raises(DuplicateToolError, match=r"test_tool_registry\.add.*test_tool_registry\..*other_add"):
        registry.register(other_add)


def test_override_replaces():
    registry = ToolRegistry()
    registry.register(add)

    @tool(name="add")
    def add_v2(a: int) -> int:
        """v2"""
        return a * 100

    registry.register(add_v2, override=True, source="test")
    assert registry.call("add", {"a": 2}, CTX).content == "200"
    assert registry.source("add") == "test"


def test_same_registration_twice_is_harmless():
    registry = ToolRegistry()
    registry.register(add, source="s")
    registry.register(add, source="s")
    assert registry.names() == ["add"]


def test_register_rejects_non_tools():
    registry = ToolRegistry()
    with pytest.raises(ToolDefinitionError, match="cannot register"):
        registry.register(42)

    class NeedsArgs(Counter):
        def __init__(self, x):
            super().__init__()

    with pytest.raises(ToolDefinitionError, match="register an instance"):
        registry.register(NeedsArgs)


def test_get_unknown_raises_with_known_names(reg):
    with pytest.raises(UnknownToolError, match="unknown tool 'nope'; known tools: add, explode"):
        reg.get("nope")


def test_select_keeps_order_and_refuses_unknown():
    registry = ToolRegistry.with_builtins()
    chosen = registry.select(["submit", "bash", "submit"])
    assert chosen.names() == ["submit", "bash"]
    assert chosen.get("bash") is registry.get("bash")
    with pytest.raises(UnknownToolError, match="'grep'"):
        registry.select(["bash", "grep"])


def test_build_registry_selection_and_plugins(tmp_path, monkeypatch):
    plugin = tmp_path / "extra.py"
    plugin.write_text(
        "from tools import tool\n\n@tool\ndef hello(name: str) -> str:\n    '''Greet.'''\n    return 'hi ' + name\n"
    )
    monkeypatch.setenv("PATCHLOOP_LOAD_PLUGINS", "0")
    registry = build_registry(None, [str(plugin)], load_entry_points=True)
    assert registry.names() == [*BUILTIN_NAMES, "hello"]
    assert [p.name for p in registry.plugins] == ["extra"]
    chosen = build_registry(["hello", "submit"], [str(plugin)], load_entry_points=False)
    assert chosen.names() == ["hello", "submit"]
    assert chosen.plugins and chosen.call("hello", {"name": "x"}, CTX).content == "hi x"


def test_importing_tools_stays_light():
    import subprocess
    import sys

    code = (
        "import sys, tools; tools.ToolRegistry.with_builtins(); "
        "print(sorted(m for m in ('docker', 'litellm', 'datasets', 'swebench') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
