from datetime import date, datetime

import pytest

from ledgerlite.dates import (add_business_days, add_months, business_days_between, date_range,
                              days_in_month, is_business_day, month_end, parse_date, quarter,
                              roll_forward)
from ledgerlite.errors import DateError

# 2026-03-06 is a Friday
FRI = date(2026, 3, 6)
SAT = date(2026, 3, 7)
MON = date(2026, 3, 9)


def test_parse_iso_and_custom_format():
    assert parse_date("2026-03-05") == date(2026, 3, 5)
    assert parse_date(" 05/03/2026 ", "%d/%m/%Y") == date(2026, 3, 5)
    assert parse_date(datetime(2026, 3, 5, 14, 0)) == date(2026, 3, 5)
    assert parse_date(date(2026, 3, 5)) == date(2026, 3, 5)


def test_parse_error_says_what_was_expected():
    with pytest.raises(DateError, match="YYYY-MM-DD"):
        parse_date("5.3.2026")
    with pytest.raises(DateError):
        parse_date(20260305)


def test_days_in_month():
    assert days_in_month(2024, 2) == 29
    assert days_in_month(2026, 2) == 28
    assert days_in_month(2026, 4) == 30
    with pytest.raises(DateError):
        days_in_month(2026, 13)


def test_add_months_simple():
    assert add_months(date(2026, 1, 15), 1) == date(2026, 2, 15)
    assert add_months(date(2026, 3, 10), 0) == date(2026, 3, 10)


def test_add_months_across_years():
    assert add_months(date(2026, 11, 10), 3) == date(2027, 2, 10)
    assert add_months(date(2026, 3, 5), -3) == date(2025, 12, 5)
    assert add_months(date(2026, 6, 1), 24) == date(2028, 6, 1)


def test_add_months_out_of_range():
    with pytest.raises(DateError):
        add_months(date(9999, 12, 1), 1)


def test_month_end_and_quarter():
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert [quarter(date(2026, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_date_range_weekly():
    assert date_range(date(2026, 1, 1), date(2026, 1, 20), step_days=7) == [
        date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15)
    ]


def test_date_range_empty_when_end_before_start():
    assert date_range(date(2026, 1, 2), date(2026, 1, 1)) == []


def test_date_range_rejects_bad_step():
    with pytest.raises(DateError):
        date_range(date(2026, 1, 1), date(2026, 1, 5), step_days=0)


def test_business_days():
    assert is_business_day(FRI)
    assert not is_business_day(SAT)
    assert not is_business_day(FRI, holidays={FRI})


def test_roll_forward():
    assert roll_forward(FRI) == FRI
    assert roll_forward(SAT) == MON
    assert roll_forward(SAT, holidays={MON}) == date(2026, 3, 10)


def test_add_business_days():
    assert add_business_days(FRI, 1) == MON
    assert add_business_days(MON, -1) == FRI
    assert add_business_days(FRI, 5) == date(2026, 3, 13)
    assert add_business_days(FRI, 1, holidays={MON}) == date(2026, 3, 10)
    assert add_business_days(FRI, 0) == FRI


def test_business_days_between():
    assert business_days_between(MON, date(2026, 3, 16)) == 5
    assert business_days_between(FRI, MON) == 1
    assert business_days_between(date(2026, 3, 16), MON) == -5
    assert business_days_between(MON, date(2026, 3, 16), holidays={date(2026, 3, 11)}) == 4
