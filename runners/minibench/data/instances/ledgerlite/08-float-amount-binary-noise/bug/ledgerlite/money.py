"""Money: an exact Decimal amount in one currency, with rounding and allocation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from decimal import InvalidOperation
from typing import Sequence, Union

from ledgerlite.currency import get_currency
from ledgerlite.errors import CurrencyMismatchError, InvalidAmountError

AmountLike = Union[Decimal, int, float, str]

ROUNDING_MODES = {
    "half-up": ROUND_HALF_UP,  # commercial rounding: 0.125 -> 0.13
    "half-even": ROUND_HALF_EVEN,  # banker's rounding: 0.125 -> 0.12
    "down": ROUND_DOWN,  # truncate towards zero
}

_AMOUNT_RE = re.compile(
    r"^(?P<open>\()?(?P<sign>[+-])?"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<frac>\d+))?(?P<close>\))?$"
)


def parse_amount(text: str) -> Decimal:
    """Read '1234.5', '-3', '+0.25', '1,234.50' or accounting-style '(12.50)'."""
    cleaned = text.strip()
    match = _AMOUNT_RE.match(cleaned)
    if not match or not (match.group("int") or match.group("frac")):
        raise InvalidAmountError(f"not an amount: {text!r} (expected e.g. '1234.50' or '-12')")
    if bool(match.group("open")) != bool(match.group("close")):
        raise InvalidAmountError(f"unbalanced parentheses in amount {text!r}")
    if match.group("open") and match.group("sign"):
        raise InvalidAmountError(f"amount {text!r} has both parentheses and a sign")
    digits = (match.group("int") or "0").replace(",", "")
    value = Decimal(f"{digits}.{match.group('frac') or '0'}")
    negative = match.group("open") is not None or match.group("sign") == "-"
    return -value if negative else value


def to_decimal(value: AmountLike) -> Decimal:
    """Convert an int, float, str or Decimal to an exact, finite Decimal."""
    if isinstance(value, bool):
        raise InvalidAmountError("a bool is not an amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(value)
    elif isinstance(value, str):
        result = parse_amount(value)
    else:
        raise InvalidAmountError(f"cannot use {type(value).__name__} as an amount")
    if not result.is_finite():
        raise InvalidAmountError(f"amount must be finite, got {value!r}")
    return result


def _rounding_constant(rounding: str) -> str:
    try:
        return ROUNDING_MODES[rounding]
    except KeyError:
        raise ValueError(
            f"unknown rounding {rounding!r}; use one of: {', '.join(ROUNDING_MODES)}"
        ) from None


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "currency", get_currency(self.currency).code)

    # construction -------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, units: int, currency: str) -> Money:
        """Money from an integer count of minor units (cents, fils, yen)."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidAmountError(f"minor units must be an int, got {units!r}")
        exponent = get_currency(currency).exponent
        return cls(Decimal(units).scaleb(-exponent), currency)

    # rounding and representation ----------------------------------------------

    @property
    def exponent(self) -> int:
        return get_currency(self.currency).exponent

    def rounded(self, rounding: str = "half-up") -> Money:
        """Round to the currency's minor unit (2 places for USD, 0 for JPY, 3 for KWD)."""
        quantum = Decimal(1).scaleb(-self.exponent)
        mode = _rounding_constant(rounding)
        return Money(self.amount.quantize(quantum, rounding=mode), self.currency)

    def to_minor(self) -> int:
        """The amount in whole minor units, rounded with the default rounding."""
        return int(self.rounded().amount.scaleb(self.exponent))

    def amount_text(self) -> str:
        """The rounded amount as plain text with exactly the currency's decimals."""
        value = self.rounded().amount
        if value == 0:
            value = abs(value)  # never show '-0.00'
        return f"{value:f}"

    def format(self) -> str:
        """Human display with symbol and thousands separators: '-$1,234.50', '¥1,000'."""
        rounded = self.rounded().amount
        sign = "-" if rounded < 0 else ""
        grouped = f"{abs(rounded):,.{self.exponent}f}"
        return f"{sign}{get_currency(self.currency).symbol}{grouped}"

    def __str__(self) -> str:
        return f"{self.amount_text()} {self.currency}"

    # arithmetic ------------------------------------------------------------------

    def _same_currency(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {operation} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot {operation} {self.currency} and {other.currency}; convert first"
            )
        return other

    def __add__(self, other: Money) -> Money:
        other = self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        if other == 0:  # lets sum() start from its default 0
            return self
        return self._same_currency(other, "add") + self

    def __sub__(self, other: Money) -> Money:
        other = self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: AmountLike) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other, "compare").amount

    def is_zero(self) -> bool:
        return self.amount == 0

    # allocation ------------------------------------------------------------------

    def allocate(self, ratios: Sequence[AmountLike]) -> list[Money]:
        """Split into shares proportional to ratios; the shares always sum to self.

        Works in whole minor units: each share gets the floor of its exact part, and the
        leftover units go one each to the first shares.
        """
        weights = [to_decimal(r) for r in ratios]
        if not weights:
            raise ValueError("allocate needs at least one ratio")
        if any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError(f"ratios must be non-negative and not all zero, got {list(ratios)}")
        units = self.to_minor()
        total_weight = sum(weights)
        shares = [
            int((units * w / total_weight).to_integral_value(rounding=ROUND_FLOOR))
            for w in weights
        ]
        eligible = [index for index, w in enumerate(weights) if w > 0]
        leftover = units - sum(shares)
        for step in range(leftover):
            shares[eligible[step % len(eligible)]] += 1
        return [Money.from_minor(share, self.currency) for share in shares]

    def split(self, parts: int) -> list[Money]:
        """Split into `parts` near-equal shares that sum to self."""
        if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
            raise ValueError(f"parts must be a positive int, got {parts!r}")
        return self.allocate([1] * parts)
