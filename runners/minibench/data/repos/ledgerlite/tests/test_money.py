from decimal import Decimal

import pytest

from ledgerlite.currency import get_currency
from ledgerlite.errors import CurrencyMismatchError, InvalidAmountError, UnknownCurrencyError
from ledgerlite.money import Money, parse_amount


def usd(text):
    return Money(text, "USD")


def test_currency_lookup_is_case_insensitive():
    assert get_currency(" eur ").code == "EUR"
    assert get_currency("JPY").exponent == 0
    assert get_currency("kwd").exponent == 3


def test_unknown_currency_names_the_code():
    with pytest.raises(UnknownCurrencyError, match="XYZ"):
        Money("1", "XYZ")


def test_amount_is_converted_to_decimal():
    assert usd("12.5").amount == Decimal("12.5")
    assert Money(3, "EUR").amount == Decimal(3)
    assert Money(Decimal("0.10"), "usd").currency == "USD"


def test_float_with_exact_binary_value():
    assert Money(1.5, "USD") == usd("1.50")


@pytest.mark.parametrize(
    "text, expected",
    [("1234.50", "1234.50"), ("-12", "-12"), ("+0.25", "0.25"), ("1,234.50", "1234.50"),
     ("(12.50)", "-12.50"), (" .5 ", "0.5")],
    ids=["plain", "negative", "plus-sign", "thousands", "parentheses", "padded-fraction"],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1.2.3", "(12.50", "-(3)", "12,34", "1e5"],
    ids=["empty", "letters", "two-points", "open-paren", "sign-and-parens", "bad-grouping", "exponent"],
)
def test_parse_amount_rejects_garbage(text):
    with pytest.raises(InvalidAmountError):
        parse_amount(text)


def test_bool_and_nan_are_not_amounts():
    with pytest.raises(InvalidAmountError):
        Money(True, "USD")
    with pytest.raises(InvalidAmountError):
        Money(Decimal("NaN"), "USD")


def test_arithmetic_keeps_currency():
    assert usd("10.00") + usd("2.50") == usd("12.50")
    assert usd("10.00") - usd("2.50") == usd("7.50")
    assert -usd("3") == usd("-3")
    assert abs(usd("-3")) == usd("3")
    assert usd("2.50") * 3 == usd("7.50")
    assert 2 * usd("1.25") == usd("2.50")
    assert sum([usd("1"), usd("2")]) == usd("3")


def test_mixing_currencies_is_an_error():
    with pytest.raises(CurrencyMismatchError, match="USD and EUR"):
        usd("1") + Money("1", "EUR")
    with pytest.raises(CurrencyMismatchError):
        usd("1") < Money("1", "EUR")


def test_comparisons():
    assert usd("1") < usd("2") <= usd("2") < usd("2.01")
    assert usd("5") > usd("-5") >= usd("-5")
    assert usd("0.00").is_zero()


def test_rounded_uses_currency_exponent():
    assert Money("1234.5678", "USD").rounded() == usd("1234.57")
    assert Money("1234.4", "JPY").rounded() == Money("1234", "JPY")
    assert Money("1.23449", "KWD").rounded() == Money("1.234", "KWD")


def test_explicit_rounding_modes():
    assert usd("0.125").rounded("half-up") == usd("0.13")
    assert usd("0.125").rounded("half-even") == usd("0.12")
    assert usd("0.135").rounded("half-even") == usd("0.14")
    assert usd("0.129").rounded("down") == usd("0.12")
    assert usd("-0.129").rounded("down") == usd("-0.12")


def test_unknown_rounding_mode():
    with pytest.raises(ValueError, match="half-up"):
        usd("1").rounded("ceiling")


def test_minor_units_round_trip():
    assert usd("12.34").to_minor() == 1234
    assert Money.from_minor(1234, "USD") == usd("12.34")
    assert Money.from_minor(-5, "KWD") == Money("-0.005", "KWD")
    assert Money.from_minor(500, "JPY").to_minor() == 500


def test_text_and_display():
    assert str(usd("12.5")) == "12.50 USD"
    assert str(Money("1000", "JPY")) == "1000 JPY"
    assert str(usd("-0.001")) == "0.00 USD"
    assert usd("-1234.5").format() == "-$1,234.50"
    assert Money("1234567", "JPY").format() == "¥1,234,567"
    assert Money("2.5", "KWD").format() == "KD 2.500"


def test_allocate_by_ratios():
    shares = usd("100").allocate([70, 20, 10])
    assert shares == [usd("70"), usd("20"), usd("10")]


def test_allocate_distributes_leftover_cents_to_first_shares():
    assert usd("0.05").allocate([1, 1, 1]) == [usd("0.02"), usd("0.02"), usd("0.01")]
    assert usd("100").split(3) == [usd("33.34"), usd("33.33"), usd("33.33")]


def test_allocate_never_gives_to_zero_ratio():
    assert usd("1.00").allocate([0, 1, 1, 1]) == [usd("0"), usd("0.34"), usd("0.33"), usd("0.33")]


def test_allocate_in_yen():
    assert Money("1000", "JPY").split(3) == [Money(334, "JPY"), Money(333, "JPY"), Money(333, "JPY")]


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1]], ids=["none", "all-zero", "negative"])
def test_allocate_rejects_bad_ratios(ratios):
    with pytest.raises(ValueError):
        usd("1").allocate(ratios)


def test_split_needs_positive_parts():
    with pytest.raises(ValueError):
        usd("1").split(0)
