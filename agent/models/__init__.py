"""The model layer: the Model protocol, typed errors, the retry policy and the shipped models.

Only the light pieces are imported here; LiteLLMModel (and litellm) load on first use.
Backends are chosen by ``make_model`` from what the ``register_models`` hook registered.
"""

from agent.models.base import (
    NO_CONTEXT,
    AttemptFailure,
    CallContext,
    ContextWindowError,
    Model,
    ModelCallError,
    ModelError,
    ModelReply,
    ModelSpecError,
    Usage,
    request_sha256,
)
from agent.models.canned import CannedModel, Outcome
from agent.models.factory import make_model
from agent.models.scripted import ScriptedModel

__all__ = [
    "NO_CONTEXT",
    "AttemptFailure",
    "CallContext",
    "CannedModel",
    "ContextWindowError",
    "Model",
    "ModelCallError",
    "ModelError",
    "ModelReply",
    "ModelSpecError",
    "Outcome",
    "ScriptedModel",
    "Usage",
    "make_model",
    "request_sha256",
]
