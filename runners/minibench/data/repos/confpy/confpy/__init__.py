"""confpy: layered configuration from INI files, environment and argv."""

from confpy.argv import Option, ParsedArgs, parse_argv
from confpy.coerce import coerce, to_bool, to_duration, to_float, to_int, to_list
from confpy.env import apply_env, env_overlay
from confpy.errors import (
    ArgvError,
    CoercionError,
    ConfigError,
    InterpolationError,
    ParseError,
    ValidationError,
)
from confpy.ini import Config, load, loads
from confpy.loader import load_config
from confpy.merge import deep_merge, merge_all
from confpy.schema import Field, Schema

__all__ = [
    "ArgvError", "CoercionError", "Config", "ConfigError", "Field", "InterpolationError",
    "Option", "ParseError", "ParsedArgs", "Schema", "ValidationError", "apply_env", "coerce",
    "deep_merge", "env_overlay", "load", "load_config", "loads", "merge_all", "parse_argv",
    "to_bool", "to_duration", "to_float", "to_int", "to_list",
]
