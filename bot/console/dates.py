"""Dates and times typed into the console's forms, read the GOV.UK way: a date in three
boxes (day, month, year) and a time such as "2:30pm" or "14:30", in the office's time zone.
Each problem is one plain message, as the GOV.UK date input pattern words them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from bot.console import labels
from bot.database.core import utcnow

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_WORDS = {"midday": time(12, 0), "noon": time(12, 0), "12 noon": time(12, 0), "midnight": time(0, 0)}


@dataclass
class CallbackForm:
    """What was typed, kept as text so a form with errors shows it again."""

    day: str = ""
    month: str = ""
    year: str = ""
    time: str = ""

    @property
    def blank(self) -> bool:
        return not (self.day or self.month or self.year or self.time)

    @classmethod
    def from_due(cls, due_at: datetime | None) -> CallbackForm:
        if due_at is None:
            return cls()
        local = due_at.replace(tzinfo=timezone.utc).astimezone(labels.display_zone())
        return cls(str(local.day), str(local.month), str(local.year), labels.time_of_day(due_at))


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def parse_time(text: str) -> time | None:
    """ "2pm", "2:30pm", "2.30 pm", "14:30", "midday" or "midnight"; None if not a time."""
    words = " ".join(text.lower().split())
    if words in _WORDS:
        return _WORDS[words]
    match = _TIME.match(words)
    if not match or not words.isascii():
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", "")
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif hour > 23 or match.group(2) is None:
        return None  # "14" alone is not clear enough to call someone back on
    return time(hour, minute)


def callback_due(form: CallbackForm, now: datetime | None = None) -> tuple[datetime | None, dict[str, str]]:
    """The call back time as naive UTC (as the store keeps times), or the problems keyed by
    the field each belongs to: "callback" (the date as a whole) or "callback-time"."""
    if form.blank:
        return None, {}
    errors: dict[str, str] = {}
    parts = {"day": form.day, "month": form.month, "year": form.year}
    missing = [name for name, value in parts.items() if not value]
    day = None
    if len(missing) == 3:
        errors["callback"] = "Enter the date of the call back"
    elif missing:
        errors["callback"] = f"The date of the call back must include a {' and a '.join(missing)}"
    elif not all(_digits(value) for value in parts.values()) or len(form.year) != 4:
        errors["callback"] = "The date of the call back must be a real date"
    else:
        try:
            day = date(int(form.year), int(form.month), int(form.day))
        except ValueError:
            errors["callback"] = "The date of the call back must be a real date"
    at = None
    if not form.time:
        errors["callback-time"] = "Enter the time of the call back, for example 2:30pm"
    else:
        at = parse_time(form.time)
        if at is None:
            errors["callback-time"] = "Enter the time of the call back as a real time, for example 2:30pm or 14:30"
    if errors or day is None or at is None:
        return None, errors
    local = datetime.combine(day, at, tzinfo=labels.display_zone())
    due = local.astimezone(timezone.utc).replace(tzinfo=None)
    if due <= (now or utcnow()):
        return None, {"callback": "The call back must be in the future"}
    return due, {}
