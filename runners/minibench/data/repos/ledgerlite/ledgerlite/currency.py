"""ISO 4217 currencies known to ledgerlite, with their minor-unit exponents."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ledgerlite.errors import UnknownCurrencyError


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int  # number of decimal places of the minor unit (USD 2, JPY 0, KWD 3)
    symbol: str


CURRENCIES = MappingProxyType(
    {
        c.code: c
        for c in (
            Currency("USD", 2, "$"),
            Currency("EUR", 2, "€"),
            Currency("GBP", 2, "£"),
            Currency("CHF", 2, "CHF "),
            Currency("SEK", 2, "kr "),
            Currency("JPY", 0, "¥"),
            Currency("KRW", 0, "₩"),
            Currency("KWD", 3, "KD "),
            Currency("BHD", 3, "BD "),
        )
    }
)


def get_currency(code: str) -> Currency:
    """Return the Currency for an ISO code (case-insensitive, surrounding blanks ignored)."""
    if not isinstance(code, str):
        raise UnknownCurrencyError(f"currency code must be a string, got {type(code).__name__}")
    normalised = code.strip().upper()
    try:
        return CURRENCIES[normalised]
    except KeyError:
        known = ", ".join(sorted(CURRENCIES))
        raise UnknownCurrencyError(
            f"unknown currency {code!r}; use one of: {known}"
        ) from None
