"""`@tool`: turn a typed function into a `Tool`."""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, overload

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from tools.base import Tool, ToolContext, ToolResult, check_tool_name
from tools.docstrings import parse_docstring
from tools.errors import ToolDefinitionError

_PARAMS_CONFIG = ConfigDict(extra="forbid", protected_namespaces=(), arbitrary_types_allowed=False)


class FunctionTool(Tool):
    """A tool made from a function by `@tool`. Calling it calls the function."""

    def __init__(self, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None) -> None:
        if isinstance(fn, FunctionTool):  # @tool(name=...) over an @tool function
            fn = fn.fn
        self.fn: Callable[..., Any] = fn
        # Copy __name__, __doc__... but not the function's __dict__, which could hold
        # attributes that would shadow ours (a "name" set by another decorator).
        functools.update_wrapper(self, fn, updated=())
        what = f"function {getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', fn)!s}"
        if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
            raise ToolDefinitionError(f"{what}: async functions are not supported; write a plain def")
        doc_description, arg_docs = parse_docstring(inspect.getdoc(fn))
        self.name = check_tool_name(name if name is not None else fn.__name__, what)
        self.description = description if description is not None else doc_description
        params, self._fields, self._positional, self._ctx_param = _build_params(fn, self.name, arg_docs, what)
        self.Params = params  # type: ignore[misc]  # a per-instance model for a function tool

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<tool {self.name} from {self.fn.__module__}.{self.fn.__qualname__}>"

    def run(self, params: BaseModel, ctx: ToolContext) -> str | ToolResult:
        values = params.__dict__
        args = [values[field] for field in self._positional]
        kwargs = {param: values[field] for field, param in self._fields}
        if self._ctx_param is not None:
            kwargs[self._ctx_param] = ctx
        return self.fn(*args, **kwargs)


@overload
def tool(fn: Callable[..., Any], /) -> FunctionTool: ...
@overload
def tool(
    *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def tool(fn: Callable[..., Any] | None = None, /, *, name: str | None = None, description: str | None = None) -> Any:
    """Make a tool from a typed function, bare (`@tool`) or configured (`@tool(name=...)`).

    The argument schema comes from the signature (through pydantic), the description from
    the docstring's first paragraph, and each argument's description from
    `Annotated[T, Field(description=...)]` or else from a Google-style `Args:` section.
    A keyword-only parameter annotated `ToolContext` receives the context and is not
    part of the schema.
    """
    if fn is not None:
        if not callable(fn):
            raise ToolDefinitionError(f"@tool decorates a function, got {fn!r}")
        return FunctionTool(fn, name=name, description=description)

    def decorate(inner: Callable[..., Any]) -> FunctionTool:
        return FunctionTool(inner, name=name, description=description)

    return decorate


def _is_context(annotation: Any) -> bool:
    if annotation is ToolContext:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0] is ToolContext
    return False


def _safe_field_name(param: str, taken: set[str]) -> str:
    """A pydantic field name for `param` (some names clash with BaseModel attributes)."""
    if not param.startswith("_") and not param.startswith("model_") and not hasattr(BaseModel, param):
        return param
    candidate = f"arg_{param.lstrip('_')}"
    while candidate in taken or hasattr(BaseModel, candidate):
        candidate += "_"
    return candidate


def _build_params(
    fn: Callable[..., Any], tool_name: str, arg_docs: dict[str, str], what: str
) -> tuple[type[BaseModel], list[tuple[str, str]], list[str], str | None]:
    """Return (Params model, [(field, keyword param)], [positional-only fields], ctx param)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise ToolDefinitionError(f"{what}: cannot read its signature: {exc}") from exc
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # NameError for unresolvable string annotations, among others
        raise ToolDefinitionError(
            f"{what}: cannot resolve its type annotations ({type(exc).__name__}: {exc}); "
            "define the types it names at module level"
        ) from exc

    fields: dict[str, Any] = {}
    keyword: list[tuple[str, str]] = []
    positional: list[str] = []
    ctx_param: str | None = None
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ToolDefinitionError(
                f"{what}: *{param.name} / **{param.name} cannot be described to a model; list the arguments explicitly"
            )
        if param.name not in hints:
            raise ToolDefinitionError(
                f"{what}: parameter {param.name!r} has no type annotation; annotate it "
                f"(e.g. `{param.name}: str`) so the model knows what to send"
            )
        annotation = hints[param.name]
        if _is_context(annotation):
            if param.kind is not param.KEYWORD_ONLY:
                raise ToolDefinitionError(
                    f"{what}: the ToolContext parameter {param.name!r} must be keyword-only "
                    f"(put it after `*`: def {fn.__name__}(..., *, {param.name}: ToolContext))"
                )
            ctx_param = param.name
            continue
        field_name = _safe_field_name(param.name, set(fields))
        default = param.default if param.default is not param.empty else ...
        if default is None:
            # `x: int = None` (the old implicit Optional): a model that sends null for it
            # must be accepted, and the schema must say null is allowed.
            annotation = _allow_none(annotation)
        extras: dict[str, Any] = {}
        if field_name != param.name:
            extras["alias"] = param.name
        doc = arg_docs.get(param.name)
        if doc and not _has_description(annotation):
            extras["description"] = doc
        fields[field_name] = (annotation, Field(default, **extras))
        if param.kind is param.POSITIONAL_ONLY:
            positional.append(field_name)
        else:
            keyword.append((field_name, param.name))

    model_name = "".join(part.capitalize() for part in tool_name.replace("-", "_").split("_")) or "Tool"
    try:
        model = create_model(f"{model_name}Params", __config__=_PARAMS_CONFIG, **fields)
    except Exception as exc:  # pydantic raises PydanticSchemaGenerationError, TypeError, NameError...
        raise ToolDefinitionError(f"{what}: its arguments cannot be validated by pydantic: {exc}") from exc
    return model, keyword, positional, ctx_param


def _allow_none(annotation: Any) -> Any:
    """`annotation`, widened to accept None when it does not already (Annotated kept)."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        return typing.Annotated[(_allow_none(base), *metadata)]
    if annotation in (None, type(None), Any, object):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Literal) and any(
        arg is None or arg is type(None) for arg in typing.get_args(annotation)
    ):
        return annotation
    return typing.Optional[annotation]  # noqa: UP045 - built at run time from a value


def _has_description(annotation: Any) -> bool:
    if typing.get_origin(annotation) is not typing.Annotated:
        return False
    return any(isinstance(meta, FieldInfo) and meta.description for meta in typing.get_args(annotation)[1:])
