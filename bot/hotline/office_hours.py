"""When the hotline team answers live: parsed from OFFICE_HOURS, e.g.
"Mon-Fri 09:00-17:00" or "Mon-Thu 09:00-17:00, Fri 09:00-16:30"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_GROUP = re.compile(r"^\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", re.I)


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class OfficeHoursError(ValueError):
    pass


@dataclass(frozen=True)
class OfficeHours:
    opening: dict[int, tuple[time, time]]  # weekday -> (opens, closes)
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, timezone: str) -> OfficeHours:
        opening: dict[int, tuple[time, time]] = {}
        for group in filter(None, (g.strip() for g in text.split(","))):
            match = _GROUP.match(group)
            if (
                not match
                or match.group(1).lower() not in DAYS
                or (match.group(2) and match.group(2).lower() not in DAYS)
            ):
                raise OfficeHoursError(f"Cannot read office hours '{group}': write them like 'Mon-Fri 09:00-17:00'")
            first = DAYS.index(match.group(1).lower())
            last = DAYS.index((match.group(2) or match.group(1)).lower())
            opens = time(int(match.group(3)), int(match.group(4)))
            closes = time(int(match.group(5)), int(match.group(6)))
            if closes <= opens:
                raise OfficeHoursError(f"In '{group}' the closing time must be after the opening time")
            for day in range(first, last + 1):
                opening[day] = (opens, closes)
        return cls(opening=opening, zone=ZoneInfo(timezone))

    def _local(self, moment: datetime | None) -> datetime:
        moment = moment or datetime.now(self.zone)
        return (
            moment.astimezone(self.zone)
            if moment.tzinfo
            else moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(self.zone)
        )

    def is_open(self, moment: datetime | None = None) -> bool:
        local = self._local(moment)
        hours = self.opening.get(local.weekday())
        return bool(hours) and hours[0] <= local.time() < hours[1]

    def next_opening(self, moment: datetime | None = None) -> datetime | None:
        local = self._local(moment)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            hours = self.opening.get(day.weekday())
            if hours:
                opens = datetime.combine(day, hours[0], tzinfo=self.zone)
                if opens > local:
                    return opens
        return None

    def describe(self) -> str:
        """'Monday to Friday, 9am to 5pm' (days with the same hours run together)."""
        groups: list[tuple[int, int, tuple[time, time]]] = []
        for day in sorted(self.opening):
            hours = self.opening[day]
            if groups and groups[-1][1] == day - 1 and groups[-1][2] == hours:
                groups[-1] = (groups[-1][0], day, hours)
            else:
                groups.append((day, day, hours))
        if not groups:
            return "when the team is working"

        def clock(moment: time) -> str:
            return moment.strftime("%-I%p" if moment.minute == 0 else "%-I:%M%p").lower()

        parts = []
        for first, last, (opens, closes) in groups:
            days = _DAY_NAMES[first] if first == last else f"{_DAY_NAMES[first]} to {_DAY_NAMES[last]}"
            parts.append(f"{days}, {clock(opens)} to {clock(closes)}")
        return "; ".join(parts)

    def describe_next_opening(self, moment: datetime | None = None) -> str:
        """'9am tomorrow', '9am on Monday', '9:30am today'."""
        local = self._local(moment)
        opens = self.next_opening(local)
        if opens is None:
            return "when the team is next working"
        clock = opens.strftime("%-I%p" if opens.minute == 0 else "%-I:%M%p").lower()
        days = (opens.date() - local.date()).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"on {opens.strftime('%A')}"
        return f"{clock} {when}"
