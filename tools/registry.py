"""`ToolRegistry`: the tools an agent may call, their schemas, and safe dispatch."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tools.arguments import argument_hint, failure, parse_arguments, validation_message
from tools.base import Tool, ToolContext, ToolResult, check_tool_name
from tools.decorator import FunctionTool
from tools.errors import DuplicateToolError, ToolDefinitionError, UnknownToolError
from tools.text import truncate_middle

if TYPE_CHECKING:
    import pluggy

    from tools.pluginfo import PluginInfo

log = logging.getLogger(__name__)

DEFAULT_MAX_OUTPUT_CHARS = 100_000


@dataclass(frozen=True)
class RegisteredTool:
    tool: Tool
    source: str


class ToolRegistry:
    """Tools by name, with the plugins they came from.

    `call` is the one entry point the agent loop uses: it validates the model's
    arguments with the tool's own pydantic model, runs the tool and always returns a
    `ToolResult`; a bad call comes back as ok=False with a message the model can act on.
    """

    def __init__(self, *, max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS) -> None:
        self._tools: dict[str, RegisteredTool] = {}
        self._hints: dict[str, str] = {}
        self.max_output_chars = max_output_chars
        self.plugins: list[PluginInfo] = []
        self.plugin_errors: list[Exception] = []
        self.plugin_objects: list[Any] = []  # what each loaded plugin imported, to load it once
        self._plugin_manager: pluggy.PluginManager | None = None

    @classmethod
    def with_builtins(cls, **kwargs: Any) -> ToolRegistry:
        """A registry holding the tools of the built-in plugins (bash, str_replace_editor,
        search, submit), registered through their ``register_tools`` hooks."""
        from tools.plugins import install_builtins

        registry = cls(**kwargs)
        install_builtins(registry)
        return registry

    # -- registration ------------------------------------------------------------------

    def register(
        self,
        tool_or_fn: Tool | type[Tool] | Callable[..., Any],
        *,
        name: str | None = None,
        override: bool = False,
        source: str | None = None,
    ) -> Tool:
        """Add a tool: a `Tool` instance, a `Tool` subclass (instantiated once for this
        registry), an `@tool` function, or a plain typed function (wrapped with `@tool`).

        A name that is taken raises DuplicateToolError naming both sources, unless
        `override=True` replaces the existing tool.
        """
        item = as_tool(tool_or_fn, name=name)
        self.add_checked([(item, source or default_source(tool_or_fn), override)])
        return item

    def add_checked(self, items: list[tuple[Tool, str, bool]]) -> None:
        """Register several (tool, source, override) at once: all of them or none."""
        pending: dict[str, str] = {}
        for item, source, override in items:
            item.check()
            existing = self._tools.get(item.name)
            if item.name in pending:
                raise DuplicateToolError(item.name, pending[item.name], source)
            if existing is not None and not override:
                if existing.tool is item and existing.source == source:
                    continue  # the very same registration again: nothing to do
                raise DuplicateToolError(item.name, existing.source, source)
            pending[item.name] = source
        for item, source, _ in items:
            self._tools[item.name] = RegisteredTool(item, source)
            self._hints.pop(item.name, None)

    # -- lookup ------------------------------------------------------------------------

    def get(self, name: str) -> Tool:
        entry = self._tools.get(name)
        if entry is None:
            raise UnknownToolError(name, self.names())
        return entry.tool

    def source(self, name: str) -> str:
        """Where the tool called `name` was registered from."""
        entry = self._tools.get(name)
        if entry is None:
            raise UnknownToolError(name, self.names())
        return entry.source

    def names(self) -> list[str]:
        return list(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter([entry.tool for entry in self._tools.values()])

    def schemas(self) -> list[dict]:
        """The OpenAI `tools` list for the registered tools, in registration order."""
        return [entry.tool.openai_schema() for entry in self._tools.values()]

    def select(self, names: Iterable[str]) -> ToolRegistry:
        """A registry with only `names` (in that order), sharing the tool instances.

        This is how a config/CLI list of tool names decides what the agent sees; an
        unknown name raises UnknownToolError listing the known ones.
        """
        chosen = ToolRegistry(max_output_chars=self.max_output_chars)
        for name in names:
            if name in chosen._tools:
                continue
            entry = self._tools.get(name)
            if entry is None:
                raise UnknownToolError(name, self.names())
            chosen._tools[name] = entry
        chosen.plugins = list(self.plugins)
        chosen.plugin_errors = list(self.plugin_errors)
        chosen.plugin_objects = list(self.plugin_objects)
        chosen._plugin_manager = self._plugin_manager
        return chosen

    # -- plugins -----------------------------------------------------------------------

    def load_plugins(self, *, strict: bool = False, group: str | None = None) -> list[PluginInfo]:
        """Load plugins from installed packages' entry points (group `patchloop`).

        `PATCHLOOP_LOAD_PLUGINS=0` (or false/no/off) turns this off; a comma-separated list
        of entry-point names loads only those (a listed name that is not installed counts
        as a failed plugin). A plugin that fails is logged and kept in
        `plugin_errors`; the others still load, unless `strict=True` raises at once.
        """
        from tools.plugins import ENTRY_POINT_GROUP, load_entry_points

        return load_entry_points(self, group=group or ENTRY_POINT_GROUP, strict=strict)

    def load(self, spec: str, *, strict: bool = True) -> PluginInfo | None:
        """Load one plugin from `pkg.mod`, `pkg.mod:attr` or a path to a `.py` file.

        Raises PluginLoadError when it fails (or, with strict=False, logs it, keeps it
        in `plugin_errors` and returns None).
        """
        from tools.plugins import load_spec

        return load_spec(self, spec, strict=strict)

    def plugin_manager(self) -> pluggy.PluginManager:
        """This registry's pluggy manager (made on first use)."""
        if self._plugin_manager is None:
            from tools.plugins import new_plugin_manager

            self._plugin_manager = new_plugin_manager()
        return self._plugin_manager

    # -- dispatch ----------------------------------------------------------------------

    def call(self, name: str, arguments: str | dict | None, ctx: ToolContext) -> ToolResult:
        """Validate `arguments` (the model's raw JSON string, or a dict) and run the tool.

        Never raises (except KeyboardInterrupt/SystemExit): every failure is a ToolResult
        with ok=False, an `error_type`, and content telling the model what to fix.
        """
        started = time.perf_counter()
        result = self._dispatch(name, arguments, ctx)
        if len(result.content) > self.max_output_chars:
            result.content, _ = truncate_middle(result.content, self.max_output_chars)
            result.truncated = True
        result.duration_ms = (time.perf_counter() - started) * 1000.0
        return result

    def _dispatch(self, name: str, arguments: str | dict | None, ctx: ToolContext) -> ToolResult:
        entry = self._tools.get(name) if isinstance(name, str) else None
        if entry is None:
            known = ", ".join(self._tools) or "(none)"
            return failure(
                "unknown_tool",
                f"Error: there is no tool named {name!r}. Available tools: {known}. "
                "Call one of these by its exact name.",
            )
        item = entry.tool
        data = parse_arguments(name, arguments, self.hint(name))
        if isinstance(data, ToolResult):
            return data
        try:
            params = item.Params.model_validate(data)
        except ValidationError as exc:
            return failure("invalid_arguments", validation_message(name, exc, self.hint(name)))
        try:
            return item.invoke(params, ctx)
        except Exception as exc:  # a tool must never crash the loop; the model reads the error
            log.debug("tool %s raised", name, exc_info=True)
            kind = type(exc)
            message = str(exc) or "(no message)"
            result = failure(
                f"{kind.__module__}.{kind.__qualname__}",
                f"Error: tool {name!r} failed: {kind.__name__}: {message}",
            )
            from sandbox.errors import SandboxGoneError

            result.sandbox_gone = isinstance(exc, SandboxGoneError)
            return result

    def hint(self, name: str) -> str:
        """One line listing a tool's arguments, for error messages."""
        cached = self._hints.get(name)
        if cached is None:
            cached = argument_hint(self._tools[name].tool)
            self._hints[name] = cached
        return cached


def as_tool(tool_or_fn: Any, *, name: str | None = None) -> Tool:
    """Turn what `register` accepts into a Tool instance (renamed copy when `name` is given)."""
    if isinstance(tool_or_fn, Tool):
        item = tool_or_fn
    elif isinstance(tool_or_fn, type) and issubclass(tool_or_fn, Tool):
        try:
            item = tool_or_fn()
        except TypeError as exc:
            raise ToolDefinitionError(
                f"tool class {tool_or_fn.__qualname__} cannot be made without arguments ({exc}); "
                "register an instance instead: register(MyTool(...))"
            ) from exc
    elif callable(tool_or_fn):
        return FunctionTool(tool_or_fn, name=name)
    else:
        raise ToolDefinitionError(
            f"cannot register {tool_or_fn!r}: pass a function, an @tool function, a Tool subclass or instance"
        )
    if name is not None and name != item.name:
        item = copy.copy(item)
        item.__dict__.pop("_parameters", None)
        item.name = check_tool_name(name, f"renaming tool {item.name!r}")
    return item


def default_source(tool_or_fn: Any) -> str:
    """Where a tool comes from, for error messages: its defining module and name."""
    if isinstance(tool_or_fn, FunctionTool):
        tool_or_fn = tool_or_fn.fn
    elif isinstance(tool_or_fn, Tool):
        tool_or_fn = type(tool_or_fn)
    module = getattr(tool_or_fn, "__module__", None) or "?"
    qualname = getattr(tool_or_fn, "__qualname__", None) or repr(tool_or_fn)
    return f"{module}.{qualname}"
