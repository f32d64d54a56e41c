import pytest

from confpy.coerce import coerce, to_bool, to_duration, to_float, to_int, to_list
from confpy.errors import CoercionError


@pytest.mark.parametrize("text", ["1", "true", "True", "YES", "on"])
def test_to_bool_true_words(text):
    assert to_bool(text) is True


def test_to_bool_strips_whitespace():
    assert to_bool(" yes\n") is True
    assert to_bool("\toff ") is False


@pytest.mark.parametrize("text", ["0", "false", "No", "OFF"])
def test_to_bool_false_words(text):
    assert to_bool(text) is False


def test_to_bool_rejects_other_words():
    with pytest.raises(CoercionError, match="expected a boolean"):
        to_bool("maybe")


def test_to_int_decimal_hex_and_underscores():
    assert to_int("42") == 42
    assert to_int(" -7 ") == -7
    assert to_int("0x1F") == 31
    assert to_int("0b101") == 5
    assert to_int("1_000") == 1000
    assert to_int("010") == 10


def test_to_int_rejects_floats_and_bools():
    with pytest.raises(CoercionError):
        to_int("1.5")
    with pytest.raises(CoercionError):
        to_int(True)


def test_to_float_accepts_numbers_and_rejects_nan():
    assert to_float("2.5") == 2.5
    assert to_float(3) == 3.0
    with pytest.raises(CoercionError, match="finite"):
        to_float("nan")


def test_to_list_splits_on_commas_and_newlines():
    assert to_list("a, b ,c") == ["a", "b", "c"]
    assert to_list("a\nb, c\n\n") == ["a", "b", "c"]
    assert to_list("") == []
    assert to_list(["x", 1]) == ["x", "1"]


def test_to_list_custom_separator():
    assert to_list("a:b: c", sep=":") == ["a", "b", "c"]


@pytest.mark.parametrize(
    "text, seconds",
    [("45", 45.0), ("1.5", 1.5), ("90s", 90.0), ("5m", 300.0), ("1h30m", 5400.0),
     ("2d", 172800.0), ("1w", 604800.0), ("1.5h", 5400.0), ("1h15m10s", 4510.0)],
)
def test_to_duration(text, seconds):
    assert to_duration(text) == seconds


def test_to_duration_allows_spaces_between_parts():
    assert to_duration(" 1h 15m 10s ") == 4510.0
    assert to_duration("2 d") == 172800.0


def test_to_duration_passes_numbers_through():
    assert to_duration(12) == 12.0


@pytest.mark.parametrize("text", ["", "soon", "5 parsecs", "h5", "10x"], ids=["empty", "word", "unknown-unit", "unit-first", "bad-unit"])
def test_to_duration_rejects_garbage(text):
    with pytest.raises(CoercionError, match="expected a duration"):
        to_duration(text)


def test_coerce_by_type_name():
    assert coerce("8080", "int") == 8080
    assert coerce("yes", "bool") is True
    assert coerce("a,b", "list") == ["a", "b"]
    assert coerce(5, "str") == "5"


def test_coerce_unknown_type_names_the_known_ones():
    with pytest.raises(CoercionError, match="known types: bool, duration"):
        coerce("1", "decimal")
