"""The core types of the tools package: the context a tool runs in, its result, and
the `Tool` base class that every tool (decorated function or stateful class) is."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from tools.errors import ToolDefinitionError
from tools.schema import parameters_schema

if TYPE_CHECKING:
    from sandbox.base import Sandbox

TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass
class ToolContext:
    """What a tool gets besides its arguments: where to act and which run it serves."""

    sandbox: Sandbox
    workdir: str
    run_id: str = ""
    step: int = 0
    extra: dict = field(default_factory=dict)


class ToolResult(BaseModel):
    """The outcome of one tool call; `content` is exactly what the model is sent."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    content: str
    exit_code: int | None = None
    timed_out: bool = False
    truncated: bool = False
    duration_ms: float = 0.0
    ends_run: bool = False
    # Why the call failed, when it did: "invalid_json", "unknown_tool",
    # "invalid_arguments", or the module-qualified class name of the exception the
    # tool raised (e.g. "sandbox.errors.ContainerGoneError"). None on success.
    error_type: str | None = None
    # The tool raised a sandbox.errors.SandboxGoneError (any subclass): the run cannot go on.
    sandbox_gone: bool = False


def check_tool_name(name: object, what: str) -> str:
    """Return `name` if providers accept it as a tool name, else raise ToolDefinitionError."""
    if not isinstance(name, str) or not TOOL_NAME_RE.match(name):
        raise ToolDefinitionError(
            f"{what}: tool name {name!r} is invalid; use 1-64 characters from "
            "a-z, A-Z, 0-9, '_' and '-' (the rule OpenAI and Anthropic enforce)"
        )
    return name


class Tool:
    """Base class of every tool.

    Subclass it for a tool that keeps state (the registry makes one instance per
    registry when you register the class)::

        class Counter(Tool):
            name = "count"
            description = "Count how often this tool was called."

            class Params(BaseModel):
                step: int = 1

            def __init__(self) -> None:
                self.total = 0

            def run(self, params: Params, ctx: ToolContext) -> str:
                self.total += params.step
                return str(self.total)

    `run` returns a string (sent to the model as is, ok=True) or a full `ToolResult`.
    Functions decorated with `@tool` are instances of a subclass, `FunctionTool`.
    """

    name: str = ""
    description: str = ""
    Params: ClassVar[type[BaseModel]]

    def run(self, params: Any, ctx: ToolContext) -> str | ToolResult:
        raise NotImplementedError(f"{type(self).__name__} must implement run(params, ctx)")

    # -- used by the registry -------------------------------------------------------

    def check(self) -> None:
        """Raise ToolDefinitionError unless this tool can be offered to a model."""
        what = f"tool class {type(self).__qualname__}"
        check_tool_name(self.name, what)
        if not isinstance(self.description, str):
            raise ToolDefinitionError(f"{what}: description must be a string")
        params = getattr(self, "Params", None)
        if not (isinstance(params, type) and issubclass(params, BaseModel)):
            raise ToolDefinitionError(f"{what}: define a nested `class Params(pydantic.BaseModel)` with the arguments")
        if type(self).run is Tool.run:
            raise ToolDefinitionError(f"{what}: implement run(self, params, ctx)")
        if params.model_config.get("extra") != "forbid":
            # Unknown arguments must be refused, not silently dropped.
            strict = type(params.__name__, (params,), {"model_config": ConfigDict(extra="forbid")})
            self.Params = strict  # type: ignore[misc]
        self.parameters()  # fail now, not when the model asks, if the schema cannot be built

    def parameters(self) -> dict:
        """The JSON schema of the arguments (cached per Params class)."""
        cached = self.__dict__.get("_parameters")
        if cached is None or cached[0] is not self.Params:
            try:
                schema = parameters_schema(self.Params)
            except Exception as exc:  # pydantic raises several types for unschemable fields
                raise ToolDefinitionError(
                    f"tool {self.name!r}: cannot build a JSON schema for its arguments: {exc}"
                ) from exc
            cached = (self.Params, schema)
            self.__dict__["_parameters"] = cached
        return cached[1]

    def openai_schema(self) -> dict:
        """The tool in the OpenAI `tools` list format."""
        function: dict[str, Any] = {"name": self.name}
        if self.description:
            function["description"] = self.description
        function["parameters"] = json.loads(json.dumps(self.parameters()))  # a private copy
        return {"type": "function", "function": function}

    def invoke(self, params: BaseModel, ctx: ToolContext) -> ToolResult:
        """Run with validated params and normalise what `run` returned into a ToolResult."""
        return to_result(self.run(params, ctx))


def to_result(value: object) -> ToolResult:
    """Turn a tool's return value into a ToolResult (ok=True unless it is one already)."""
    if isinstance(value, ToolResult):
        return value
    if value is None:
        return ToolResult(ok=True, content="")
    if isinstance(value, str):
        return ToolResult(ok=True, content=value)
    if isinstance(value, BaseModel):
        return ToolResult(ok=True, content=value.model_dump_json())
    if isinstance(value, (dict, list, tuple, int, float, bool)):
        return ToolResult(ok=True, content=json.dumps(value, default=str, ensure_ascii=False))
    return ToolResult(ok=True, content=str(value))
