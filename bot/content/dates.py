"""Dates in content: how old a confirmation or review may be, and dates as visitors read them."""

from __future__ import annotations

import calendar
from datetime import date


def months_before(months: int, today: date | None = None) -> date:
    """The same day `months` months before `today` (the month's last day where it is shorter)."""
    today = today or date.today()
    count = today.year * 12 + today.month - 1 - months
    year, month = divmod(count, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def month_and_year(day: date) -> str:
    """'October 2012', as GOV.UK writes a date without its day."""
    return f"{calendar.month_name[day.month]} {day.year}"


def full_date(day: date) -> str:
    """'5 December 2026'."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def as_of_text(value: str) -> str:
    """An "as of" value as visitors read it: "2018" -> "2018", "2019-10" -> "October 2019"."""
    year, _, month = value.partition("-")
    return f"{calendar.month_name[int(month)]} {year}" if month else year
