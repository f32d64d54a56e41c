"""The model layer: the Model protocol, typed errors and the shipped models.

Only the light pieces are imported here; LiteLLMModel (and litellm) load on first use.
"""

from agent.models.base import (
    AttemptFailure,
    ContextWindowError,
    Model,
    ModelCallError,
    ModelError,
    ModelReply,
    Usage,
    request_sha256,
)
from agent.models.factory import make_model
from agent.models.scripted import ScriptedModel

__all__ = [
    "AttemptFailure",
    "ContextWindowError",
    "Model",
    "ModelCallError",
    "ModelError",
    "ModelReply",
    "ScriptedModel",
    "Usage",
    "make_model",
    "request_sha256",
]
