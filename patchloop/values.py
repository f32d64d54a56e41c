"""Numbers and name lists from flags and config, checked by one rule each.

The pydantic types (``Seconds``, ``USD``...) are for config models; the functions of the
same meaning (:func:`seconds`, :func:`usd`...) are argparse ``type=`` callables. Both
refuse ``nan``, ``inf`` and out-of-range values with a message that says what to give.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Annotated

from pydantic import Field

from patchloop.names import RULE, is_component

# A duration above this (about 11.6 days) is taken as "no real limit" without overflowing
# select(), socket timeouts or timeout(1).
MAX_SECONDS = 1_000_000.0

Seconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]
USD = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number ({what})") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number ({what})")
    return value


def seconds(text: str) -> float:
    """A duration: finite, > 0 and at most MAX_SECONDS (leave the flag out for no limit)."""
    value = _number(text, "seconds")
    if value <= 0 or value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give seconds > 0 and <= {MAX_SECONDS:g} (leave the flag out for no limit)"
        )
    return value


def usd(text: str) -> float:
    """An amount of money in USD: finite and >= 0."""
    value = _number(text, "USD")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give an amount in USD >= 0")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number >= 1")
    return value


def split_names(values: str | list[str]) -> list[str]:
    """Comma- and/or space-separated names, in order, duplicates dropped."""
    items = [values] if isinstance(values, str) else values
    names = [part.strip() for item in items for part in item.replace(",", " ").split()]
    return list(dict.fromkeys(names))


def name_list(what: str, *, example: str) -> Callable[[str], list[str]]:
    """An argparse type for a comma-separated list that must name at least one thing.

    An empty value (typically an unset shell variable) is an error, never "everything".
    """

    def parse(text: str) -> list[str]:
        names = split_names(text)
        if not names:
            raise argparse.ArgumentTypeError(
                f"no {what} given (an empty value, e.g. an unset shell variable?): give at least one, e.g. {example}"
            )
        return names

    return parse


def component(what: str) -> Callable[[str], str]:
    """An argparse type for a name that becomes a file or folder name."""

    def parse(text: str) -> str:
        if not is_component(text):
            raise argparse.ArgumentTypeError(f"{what} {text!r}: use {RULE}")
        return text

    return parse
