from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.hotline.office_hours import OfficeHours, OfficeHoursError

LONDON = ZoneInfo("Europe/London")
HOURS = OfficeHours.parse("Mon-Thu 09:00-17:00, Fri 09:00-16:30", "Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    "moment, is_open",
    [
        ("2026-11-26T10:00", True),
        ("2026-11-26T08:59", False),
        ("2026-11-26T17:00", False),
        ("2026-11-27T16:15", True),
        ("2026-11-27T16:45", False),
        ("2026-11-28T12:00", False),
    ],
)
def test_open_or_closed(moment, is_open):
    assert HOURS.is_open(at(moment)) is is_open


@pytest.mark.parametrize(
    "moment, expected",
    [("2026-11-26T07:00", "9am today"), ("2026-11-26T18:00", "9am tomorrow"), ("2026-11-27T17:00", "9am on Monday")],
)
def test_next_opening_in_words(moment, expected):
    assert HOURS.describe_next_opening(at(moment)) == expected


def test_naive_times_are_utc():
    # 08:30 UTC in summer is 09:30 in London.
    assert HOURS.is_open(datetime(2026, 7, 1, 8, 30)) is True


@pytest.mark.parametrize("text", ["Weekdays 9-5", "Mon-Fri 17:00-09:00", "Xyz 09:00-10:00"])
def test_unreadable_office_hours_are_refused(text):
    with pytest.raises(OfficeHoursError):
        OfficeHours.parse(text, "Europe/London")


def test_console_times_are_shown_in_the_office_time_zone():
    from bot.console import labels

    labels.set_display_zone("Europe/London")
    assert labels.when(datetime(2026, 7, 1, 8, 30)) == "1 July 2026 at 9:30am"  # stored as UTC, read as BST
    assert labels.when(datetime(2026, 12, 1, 8, 30)) == "1 December 2026 at 8:30am"
