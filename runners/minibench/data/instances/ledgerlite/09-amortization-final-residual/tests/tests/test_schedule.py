from datetime import date
from decimal import Decimal

import pytest

from ledgerlite.money import Money
from ledgerlite.schedule import (amortization_schedule, installment_plan, level_payment,
                                 total_interest)


def usd(text):
    return Money(text, "USD")


def test_installments_sum_to_total():
    plan = installment_plan(usd("100"), 3, date(2026, 1, 15))
    assert [i.amount for i in plan] == [usd("33.34"), usd("33.33"), usd("33.33")]
    assert sum(i.amount for i in plan) == usd("100")
    assert [i.number for i in plan] == [1, 2, 3]


def test_installments_are_monthly():
    plan = installment_plan(usd("90"), 3, date(2026, 11, 15))
    assert [i.due for i in plan] == [date(2026, 11, 15), date(2026, 12, 15), date(2027, 1, 15)]


def test_installments_roll_to_business_days():
    # 2026-02-15 is a Sunday, 2026-03-15 a Sunday too
    plan = installment_plan(usd("30"), 3, date(2026, 1, 15), business_days=True,
                            holidays={date(2026, 2, 16)})
    assert [i.due for i in plan] == [date(2026, 1, 15), date(2026, 2, 17), date(2026, 3, 16)]


def test_installment_count_must_be_positive():
    with pytest.raises(ValueError, match="count"):
        installment_plan(usd("30"), 0, date(2026, 1, 15))


def test_level_payment():
    assert level_payment(usd("1000"), Decimal("0.12"), 12) == usd("88.85")
    assert level_payment(usd("1200"), 0, 12) == usd("100")


def test_negative_rate_is_rejected():
    with pytest.raises(ValueError, match="annual_rate"):
        level_payment(usd("1000"), "-0.01", 12)


def test_amortization_first_rows():
    rows = amortization_schedule(usd("1000"), "0.12", 12, date(2026, 1, 15))
    assert len(rows) == 12
    first, second = rows[0], rows[1]
    assert (first.payment, first.interest, first.principal, first.balance) == (
        usd("88.85"), usd("10.00"), usd("78.85"), usd("921.15"))
    assert (second.interest, second.principal, second.balance) == (
        usd("9.21"), usd("79.64"), usd("841.51"))
    assert rows[11].due == date(2026, 12, 15)


def test_zero_rate_schedule():
    rows = amortization_schedule(usd("1200"), 0, 12, date(2026, 1, 15))
    assert all(row.payment == usd("100") and row.interest.is_zero() for row in rows)
    assert rows[-1].balance.is_zero()


def test_total_interest():
    rows = amortization_schedule(usd("1000"), "0.12", 12, date(2026, 1, 15))
    assert total_interest(rows) == usd("66.19")
    with pytest.raises(ValueError):
        total_interest([])


def test_last_payment_clears_the_loan():
    rows = amortization_schedule(usd("1000"), "0.12", 12, date(2026, 1, 15))
    last = rows[-1]
    assert last.balance == usd("0")
    assert (last.payment, last.interest, last.principal) == (usd("88.84"), usd("0.88"), usd("87.96"))
    assert sum(row.principal for row in rows) == usd("1000")
    assert all(row.payment == row.interest + row.principal for row in rows)


def test_zero_rate_uneven_split_clears_the_loan():
    rows = amortization_schedule(usd("1000"), 0, 3, date(2026, 1, 15))
    assert [row.payment for row in rows] == [usd("333.33"), usd("333.33"), usd("333.34")]
    assert rows[-1].balance.is_zero()


def test_underpaid_rounding_is_collected_in_last_payment():
    rows = amortization_schedule(usd("500"), "0.07", 7, date(2026, 1, 15))
    assert [row.payment for row in rows[:-1]] == [usd("73.10")] * 6
    assert rows[-1].payment == usd("73.14")
    assert rows[-1].balance == usd("0")
    assert sum(row.principal for row in rows) == usd("500")
