"""Calendar helpers: parsing, month arithmetic, date ranges and business days."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Collection

from ledgerlite.errors import DateError

ONE_DAY = timedelta(days=1)


def parse_date(value: str | date, fmt: str | None = None) -> date:
    """Parse an ISO date ('2026-03-05'), or text in strptime format `fmt`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise DateError(f"expected a date or a string, got {type(value).__name__}")
    text = value.strip()
    try:
        if fmt is None:
            return date.fromisoformat(text)
        return datetime.strptime(text, fmt).date()
    except ValueError:
        expected = fmt or "YYYY-MM-DD"
        raise DateError(f"not a date: {value!r} (expected {expected})") from None


def days_in_month(year: int, month: int) -> int:
    if not 1 <= month <= 12:
        raise DateError(f"month must be 1..12, got {month}")
    return calendar.monthrange(year, month)[1]


def add_months(day: date, months: int) -> date:
    """Move by whole calendar months, clamping to the end of shorter months.

    add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise DateError(f"{day} plus {months} months is outside the supported years")
    month = month_index + 1
    return date(year, month, min(day.day, days_in_month(year, month)))


def month_end(day: date) -> date:
    return day.replace(day=days_in_month(day.year, day.month))


def quarter(day: date) -> int:
    """Calendar quarter 1..4."""
    return (day.month - 1) // 3 + 1


def date_range(start: date, end: date, step_days: int = 1) -> list[date]:
    """Every step_days-th date from start up to and including end (empty if end < start)."""
    if step_days < 1:
        raise DateError(f"step_days must be at least 1, got {step_days}")
    step = timedelta(days=step_days)
    days = []
    current = start
    while current <= end:
        days.append(current)
        current += step
    return days


def is_business_day(day: date, holidays: Collection[date] = ()) -> bool:
    """Monday to Friday, and not a holiday."""
    return day.weekday() < 5 and day not in holidays


def roll_forward(day: date, holidays: Collection[date] = ()) -> date:
    """The day itself if it is a business day, else the next business day."""
    while not is_business_day(day, holidays):
        day += ONE_DAY
    return day


def add_business_days(day: date, count: int, holidays: Collection[date] = ()) -> date:
    """Move `count` business days forward (or backward when negative)."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day, holidays):
            remaining -= 1
    return day


def business_days_between(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """Business days d with start <= d < end; negative when end is before start."""
    if end < start:
        return -business_days_between(end, start, holidays)
    count = 0
    day = start
    while day < end:
        if is_business_day(day, holidays):
            count += 1
        day += ONE_DAY
    return count
