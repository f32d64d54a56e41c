"""@tool: schemas built from signatures and docstrings, and definition errors."""

import enum
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

from tools import FunctionTool, Tool, ToolContext, ToolDefinitionError, ToolRegistry, tool


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Point(BaseModel):
    x: int
    y: int = 0


class Box(BaseModel):
    corner: Point
    label: str | None = None


class TreeNode(BaseModel):
    name: str
    children: list["TreeNode"] = []


def params_of(item: FunctionTool) -> dict:
    schema = item.openai_schema()
    assert schema["type"] == "function"
    return schema["function"]["parameters"]


def test_bare_decorator_openai_format_and_docstring_first_paragraph():
    @tool
    def read_file(path: str, start: int = 1, end: int | None = None) -> str:
        """Read a file
        from the repository.

        Longer explanation that must not be in the description.
        """
        return f"{path}:{start}:{end}"

    assert isinstance(read_file, FunctionTool)
    schema = read_file.openai_schema()
    assert schema == {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file from the repository.",
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "start": {"type": "integer", "default": 1},
                    "end": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
                },
                "required": ["path"],
                "additionalProperties": False,
            },
        },
    }
    assert read_file("a.py", end=3) == "a.py:1:3"  # still callable as a function


def test_decorator_with_name_and_description():
    @tool(name="renamed-tool", description="Explicit wins.")
    def f(x: int) -> int:
        """Docstring loses."""
        return x

    function = f.openai_schema()["function"]
    assert function["name"] == "renamed-tool"
    assert function["description"] == "Explicit wins."


def test_no_docstring_has_no_description_and_no_arguments_schema():
    @tool
    def ping() -> str:
        return "pong"

    function = ping.openai_schema()["function"]
    assert "description" not in function
    assert function["parameters"] == {"type": "object", "properties": {}, "additionalProperties": False}


def test_literal_enum_list_optional_and_defaults():
    @tool
    def f(
        mode: Literal["fast", "slow"],
        color: Color = Color.RED,
        tags: list[str] = [],  # noqa: B006 - the schema of a mutable default is under test
        limit: int | None = None,
        ratio: float = 0.5,
        flag: bool = False,
    ) -> str:
        """Many kinds."""
        return ""

    props = params_of(f)["properties"]
    assert props["mode"] == {"type": "string", "enum": ["fast", "slow"]}
    assert props["color"] == {"type": "string", "enum": ["red", "green"], "default": "red"}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}, "default": []}
    assert props["limit"] == {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}
    assert props["ratio"] == {"type": "number", "default": 0.5}
    assert props["flag"] == {"type": "boolean", "default": False}
    assert params_of(f)["required"] == ["mode"]


def test_nested_models_are_inlined_without_titles():
    @tool
    def draw(box: Box, points: list[Point]) -> str:
        """Draw."""
        return ""

    params = params_of(draw)
    assert "$defs" not in params
    assert "title" not in repr(params)
    assert params["properties"]["box"]["properties"]["corner"] == {
        "type": "object",
        "properties": {"x": {"type": "integer"}, "y": {"type": "integer", "default": 0}},
        "required": ["x"],
    }
    assert params["properties"]["points"]["items"]["required"] == ["x"]


def test_recursive_model_keeps_defs():
    @tool
    def walk(tree: TreeNode) -> str:
        """Walk a tree."""
        return ""

    params = params_of(walk)
    assert params["properties"]["tree"] == {"$ref": "#/$defs/TreeNode"}
    assert params["$defs"]["TreeNode"]["properties"]["children"]["items"] == {"$ref": "#/$defs/TreeNode"}
    parsed = walk.Params.model_validate({"tree": {"name": "a", "children": [{"name": "b"}]}})
    assert parsed.tree.children[0].name == "b"


def test_property_named_title_is_kept():
    @tool
    def issue(title: str, body: str = "") -> str:
        """Open an issue."""
        return title

    assert set(params_of(issue)["properties"]) == {"title", "body"}


def test_args_section_and_annotated_field_descriptions():
    @tool
    def grep(pattern: Annotated[str, Field(description="From Field.")], path: str = ".", max_count: int = 10) -> str:
        """Search files.

        Args:
            pattern: From the docstring, but Field wins.
            path (str): Where to look,
                continued on a second line.
            max_count: Stop after this many.

        Returns:
            The matches.
        """
        return ""

    function = grep.openai_schema()["function"]
    props = function["parameters"]["properties"]
    assert function["description"] == "Search files."
    assert props["pattern"]["description"] == "From Field."
    assert props["path"]["description"] == "Where to look, continued on a second line."
    assert props["max_count"]["description"] == "Stop after this many."


def test_annotated_field_constraints_reach_schema_and_validation():
    @tool
    def f(n: Annotated[int, Field(ge=1, le=5)] = 2) -> int:
        """Bounded."""
        return n

    assert params_of(f)["properties"]["n"] == {"type": "integer", "minimum": 1, "maximum": 5, "default": 2}
    with pytest.raises(Exception):
        f.Params.model_validate({"n": 9})


def test_context_parameter_is_injected_not_in_schema():
    seen = {}

    @tool
    def where(path: str, *, ctx: ToolContext) -> str:
        """Where am I."""
        seen["ctx"] = ctx
        return f"{ctx.workdir}/{path}"

    assert set(params_of(where)["properties"]) == {"path"}
    ctx = ToolContext(sandbox=None, workdir="/w")
    result = where.invoke(where.Params.model_validate({"path": "x"}), ctx)
    assert result.ok and result.content == "/w/x" and seen["ctx"] is ctx


def test_argument_names_that_clash_with_pydantic_are_kept_in_schema():
    @tool
    def f(json: str, model_config: int = 0, copy: bool = False) -> str:
        """Clashing names."""
        return f"{json}|{model_config}|{copy}"

    assert set(params_of(f)["properties"]) == {"json", "model_config", "copy"}
    params = f.Params.model_validate({"json": "j", "model_config": 3, "copy": True})
    assert f.run(params, None) == "j|3|True"


def test_positional_only_parameters_are_passed_positionally():
    @tool
    def f(a: int, /, b: int) -> int:
        """Subtract."""
        return a - b

    assert f.run(f.Params.model_validate({"a": 5, "b": 2}), None) == 3


@pytest.mark.parametrize("name", ["", "has space", "dot.name", "x" * 65, "ünicode"])
def test_invalid_names_are_refused(name):
    with pytest.raises(ToolDefinitionError, match="invalid"):
        tool(name=name)(lambda: None)


def test_longest_valid_name():
    assert tool(name="a-" * 32)(lambda: "x").name == "a-" * 32


def test_definition_errors_say_what_to_fix():
    def untyped(x):
        return x

    def star(*args: int) -> None: ...

    def positional_ctx(ctx: ToolContext) -> None: ...

    async def coro(x: int) -> None: ...

    with pytest.raises(ToolDefinitionError, match="no type annotation"):
        tool(untyped)
    with pytest.raises(ToolDefinitionError, match=r"\*args"):
        tool(star)
    with pytest.raises(ToolDefinitionError, match="keyword-only"):
        tool(positional_ctx)
    with pytest.raises(ToolDefinitionError, match="async"):
        tool(coro)
    with pytest.raises(ToolDefinitionError, match="decorates a function"):
        tool(42)


def test_unresolvable_annotation_is_a_definition_error():
    def f(x: "NoSuchType") -> str:  # noqa: F821
        return ""

    with pytest.raises(ToolDefinitionError, match="cannot resolve"):
        tool(f)


def test_tool_subclass_schema_and_checks():
    class Counter(Tool):
        name = "count"
        description = "Count calls."

        class Params(BaseModel):
            step: int = Field(default=1, description="How much to add.")

        def __init__(self) -> None:
            self.total = 0

        def run(self, params, ctx):
            self.total += params.step
            return str(self.total)

    counter = Counter()
    counter.check()
    assert counter.openai_schema()["function"]["parameters"] == {
        "type": "object",
        "properties": {"step": {"type": "integer", "default": 1, "description": "How much to add."}},
        "additionalProperties": False,
    }
    # Params without extra="forbid" are made strict, so unknown arguments are refused.
    with pytest.raises(Exception, match="Extra inputs are not permitted"):
        counter.Params.model_validate({"stp": 2})

    class NoParams(Tool):
        name = "nothing"

        def run(self, params, ctx):
            return ""

    class NoRun(Tool):
        name = "norun"
        Params = Point

    with pytest.raises(ToolDefinitionError, match="Params"):
        NoParams().check()
    with pytest.raises(ToolDefinitionError, match="implement run"):
        NoRun().check()


def test_docstring_that_opens_with_args_has_no_description():
    @tool
    def f(x: int) -> int:
        """Args:
        x: The number.
        """
        return x

    function = f.openai_schema()["function"]
    assert "description" not in function
    assert function["parameters"]["properties"]["x"]["description"] == "The number."


def test_function_attributes_do_not_shadow_the_tool():
    def helper(x: int) -> int:
        """Helper."""
        return x

    helper.name = "from another decorator"
    helper.Params = None
    item = tool(helper)
    assert item.name == "helper" and item.Params is not None
    renamed = tool(name="again")(item)  # re-decorating an @tool function
    assert renamed.name == "again" and renamed.fn is helper and renamed(3) == 3


def test_default_none_without_optional_accepts_null():
    """`x: int = None` (implicit Optional): the schema allows null and a model's null is taken,
    where it used to say "integer" and then refuse the null it sent."""

    @tool
    def f(
        x: int = None,  # type: ignore[assignment]  # noqa: RUF013 - the implicit Optional is under test
        z: Annotated[str, Field(description="short", max_length=3)] = None,  # type: ignore[assignment]  # noqa: RUF013
        v: Literal["a", None] = None,
        n: int = 3,
    ) -> str:
        """F."""
        return repr((x, z, v, n))

    props = f.parameters()["properties"]
    assert props["x"] == {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}
    assert props["z"] == {
        "anyOf": [{"maxLength": 3, "type": "string"}, {"type": "null"}],
        "default": None,
        "description": "short",
    }
    assert props["v"] == {"default": None, "enum": ["a", None]}  # already allowed null: as is
    assert props["n"] == {"default": 3, "type": "integer"}
    registry = ToolRegistry()
    registry.register(f)
    ctx = ToolContext(sandbox=None, workdir="/")
    assert registry.call("f", '{"x": null, "z": null}', ctx).content == "(None, None, None, 3)"
    refused = registry.call("f", '{"z": "long"}', ctx)  # the Field's constraint still holds
    assert refused.error_type == "invalid_arguments" and "at most 3 characters" in refused.content
    assert registry.call("f", '{"n": null}', ctx).error_type == "invalid_arguments"
