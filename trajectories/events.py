"""The trajectory event schema: one pydantic model per event type, version 2.

Version 2 (this one) guarantees that ``model_call.request.sha256`` is computed over
exactly the messages the file rebuilds: what is sent to a model is redacted with the
file's rule before it is sent. Version 1 files are read as they are; in them a hash may
differ from the rebuild where the writer redacted a secret that had been sent
(``hash_is_exact(v)`` says which rule applies).

Every line of a trajectory file is one event: the envelope ``{v, run_id, seq, ts, type,
step, parent}`` followed by the payload of its type. ``Event`` is the discriminated union
over ``type``; ``EVENT_ADAPTER`` validates a dict or a JSON line into the right model.

Strict at the boundary: unknown keys are rejected on the envelope and on the structured
payload parts; open-ended parts (``config``, ``tools``, ``messages``, ``response``,
``params``, ``arguments``) stay plain dicts/lists.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)

EVENT_TYPES = (
    "run_start",
    "model_call",
    "tool_call",
    "tool_result",
    "error",
    "context",
    "run_end",
)

ExitStatus = Literal[
    "submitted",
    "step_limit",
    "cost_limit",
    "time_limit",
    "context_window",
    "format_errors",
    "model_error",
    "sandbox_error",
    "interrupted",
]
EXIT_STATUSES: tuple[str, ...] = get_args(ExitStatus)


def hash_is_exact(v: int) -> bool:
    """Whether a file of schema ``v`` hashes exactly what it holds (v2 on)."""
    return v >= 2


def newer_version_message(v: int) -> str:
    return (
        f"written by a newer patchloop (trajectory schema v{v}); this patchloop reads "
        f"v{SCHEMA_VERSION}: upgrade patchloop to read it"
    )


class Strict(BaseModel):
    # NaN/inf would be written as null and then fail to read back: refuse them at write time
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --------------------------------------------------------------------- payload parts


class AgentInfo(Strict):
    name: str
    version: str


class ModelInfo(Strict):
    name: str
    kind: str = Field(description="how the model is served: litellm, scripted, replay, oracle, ...")
    params: dict[str, Any] = Field(default_factory=dict)


class PluginInfo(Strict):
    name: str
    version: str | None = None
    source: str = Field(description="entry point, module name or file path it was loaded from")


class TaskInfo(Strict):
    text: str
    instance_id: str | None = None
    dataset: str | None = None
    split: str | None = None
    repo: str | None = None
    base_commit: str | None = None


class SandboxInfo(Strict):
    kind: str = Field(description="docker or local")
    image: str | None = None
    workdir: str
    init_script: str | None = Field(
        default=None, description="shell run once at session start (e.g. activating a conda env); replay repeats it"
    )


class ForkedFrom(Strict):
    path: str
    run_id: str
    step: int


class RequestInfo(Strict):
    n_messages: int = Field(ge=0)
    sha256: str


class Usage(Strict):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cached_tokens: int = Field(default=0, ge=0, description="a subset of prompt_tokens")


class FinalMetrics(Strict):
    total_prompt_tokens: int = Field(default=0, ge=0)
    total_completion_tokens: int = Field(default=0, ge=0)
    total_cached_tokens: int = Field(default=0, ge=0)
    total_cost_usd: float | None = None
    total_steps: int = Field(default=0, ge=0)
    wall_s: float = Field(default=0.0, ge=0)


# --------------------------------------------------------------------- envelope


class Envelope(Strict):
    v: int = Field(description="schema version (1 is still read)", json_schema_extra={"enum": list(READABLE_VERSIONS)})
    run_id: str = Field(min_length=1)
    seq: int = Field(ge=0, description="position in the file, from 0, +1 per event")
    ts: str = Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
        description="ISO-8601 UTC time the event was written",
    )
    type: str
    step: int | None = Field(default=None, ge=0, description="agent turn; null outside turns")
    parent: int | None = Field(default=None, ge=0, description="seq of the causing event")

    @field_validator("v")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v > SCHEMA_VERSION:
            raise ValueError(newer_version_message(v))
        if v < 1:
            raise ValueError(f"schema version must be >= 1, got {v}")
        return v


# --------------------------------------------------------------------- events


class RunStart(Envelope):
    type: Literal["run_start"]
    agent: AgentInfo
    model: ModelInfo
    tools: list[dict[str, Any]] = Field(description="OpenAI tools list")
    plugins: list[PluginInfo] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)
    versions: dict[str, str | None] = Field(default_factory=dict)
    task: TaskInfo
    messages: list[dict[str, Any]] = Field(description="initial OpenAI messages")
    sandbox: SandboxInfo
    forked_from: ForkedFrom | None = None


class ModelCall(Envelope):
    type: Literal["model_call"]
    request: RequestInfo
    response: dict[str, Any] = Field(description="OpenAI assistant message")
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None
    latency_ms: float = 0.0
    attempts: int = Field(default=1, ge=1)
    response_id: str | None = None


class ToolCall(Envelope):
    type: Literal["tool_call"]
    tool_call_id: str
    name: str
    arguments: dict[str, Any] | None = Field(description="parsed arguments; null when unparseable")
    arguments_raw: str


class ToolResult(Envelope):
    type: Literal["tool_result"]
    tool_call_id: str
    name: str
    ok: bool
    content: str = Field(description="exactly what the model is sent")
    exit_code: int | None = None
    timed_out: bool = False
    truncated: bool = False
    duration_ms: float = 0.0


class Error(Envelope):
    type: Literal["error"]
    where: Literal["model", "tool", "sandbox", "format", "agent"]
    error_type: str
    message: str
    retryable: bool = False
    attempt: int | None = None
    feedback: str | None = Field(default=None, description="user message sent to the model because of it")


class Context(Envelope):
    type: Literal["context"]
    reason: str
    compacted: list[int] = Field(description="indexes of messages whose content was replaced")
    replacement: str
    n_messages: int = Field(ge=0)
    chars_before: int = Field(ge=0)
    chars_after: int = Field(ge=0)


class RunEnd(Envelope):
    type: Literal["run_end"]
    exit_status: ExitStatus
    reason: str = ""
    submission: str = ""
    final_metrics: FinalMetrics = Field(default_factory=FinalMetrics)


Event = Annotated[
    RunStart | ModelCall | ToolCall | ToolResult | Error | Context | RunEnd,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

ENVELOPE_FIELDS = ("v", "run_id", "seq", "ts", "type", "step", "parent")
