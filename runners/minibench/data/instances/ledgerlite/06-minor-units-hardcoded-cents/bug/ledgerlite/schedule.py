"""Installment plans and loan amortization schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Collection

from ledgerlite.dates import add_months, roll_forward
from ledgerlite.money import AmountLike, Money, to_decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Installment:
    number: int
    due: date
    amount: Money


@dataclass(frozen=True)
class AmortizationRow:
    number: int
    due: date
    payment: Money
    interest: Money
    principal: Money
    balance: Money  # outstanding after this payment


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def installment_plan(
    total: Money,
    count: int,
    first_due: date,
    *,
    business_days: bool = False,
    holidays: Collection[date] = (),
) -> list[Installment]:
    """Split `total` into `count` monthly installments that sum exactly to total.

    With business_days=True a due date on a weekend or holiday moves to the next business day.
    """
    _check_count("count", count)
    plan = []
    for index, amount in enumerate(total.split(count)):
        due = add_months(first_due, index)
        if business_days:
            due = roll_forward(due, holidays)
        plan.append(Installment(index + 1, due, amount))
    return plan


def _monthly_rate(annual_rate: AmountLike) -> Decimal:
    rate = to_decimal(annual_rate)
    if rate < 0:
        raise ValueError(f"annual_rate must not be negative, got {annual_rate!r}")
    return rate / 12


def level_payment(principal: Money, annual_rate: AmountLike, months: int) -> Money:
    """The fixed monthly payment that repays principal over `months` (annuity formula)."""
    _check_count("months", months)
    rate = _monthly_rate(annual_rate)
    if rate == 0:
        return Money((principal.amount / months).quantize(CENT, ROUND_HALF_UP), principal.currency)
    growth = (1 + rate) ** months
    payment = principal.amount * rate * growth / (growth - 1)
    return Money(payment.quantize(CENT, ROUND_HALF_UP), principal.currency)


def amortization_schedule(
    principal: Money, annual_rate: AmountLike, months: int, first_due: date
) -> list[AmortizationRow]:
    """Monthly rows of a level-payment loan; the last payment absorbs rounding so the
    balance ends at exactly zero."""
    payment = level_payment(principal, annual_rate, months)
    rate = _monthly_rate(annual_rate)
    balance = principal.rounded()
    rows = []
    for number in range(1, months + 1):
        interest = Money((balance.amount * rate).quantize(CENT, ROUND_HALF_UP), balance.currency)
        if number == months:
            repaid = balance
            paid = interest + balance
        else:
            repaid = payment - interest
            paid = payment
        balance = balance - repaid
        rows.append(
            AmortizationRow(number, add_months(first_due, number - 1), paid, interest, repaid, balance)
        )
    return rows


def total_interest(rows: list[AmortizationRow]) -> Money:
    if not rows:
        raise ValueError("an empty schedule has no currency")
    return sum((row.interest for row in rows), Money.zero(rows[0].interest.currency))
