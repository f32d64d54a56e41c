"""Numbers and name lists from flags: nan, inf, negatives and empty lists are refused."""

from __future__ import annotations

import argparse

import pytest
from pydantic import BaseModel, ValidationError

from patchloop.values import USD, Seconds, name_list, positive_int, seconds, split_names, usd


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "-1", "0", "1e7", "abc", ""])
def test_seconds_refuses(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        seconds(text)


@pytest.mark.parametrize("text", ["nan", "inf", "-0.5", "x"])
def test_usd_refuses(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        usd(text)


def test_good_numbers() -> None:
    assert seconds("25") == 25.0 and usd("0") == 0.0 and positive_int("3") == 3
    with pytest.raises(argparse.ArgumentTypeError):
        positive_int("0")


def test_empty_name_list_is_an_error_not_everything() -> None:
    parse = name_list("instance ids", example="--instance-ids a,b")
    with pytest.raises(argparse.ArgumentTypeError, match="unset shell variable"):
        parse("")
    with pytest.raises(argparse.ArgumentTypeError):
        parse(" , ")
    assert parse("a, b a") == ["a", "b"]
    assert split_names(["a,b", "c"]) == ["a", "b", "c"]


def test_config_types_refuse_nan_and_inf() -> None:
    class Limits(BaseModel):
        timeout: Seconds = 10
        budget: USD = 1

    for bad in ({"timeout": float("nan")}, {"timeout": float("inf")}, {"budget": float("nan")}, {"budget": -1}):
        with pytest.raises(ValidationError):
            Limits.model_validate(bad)
