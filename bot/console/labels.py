"""Words the console shows for the queue's states, and friendly times."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.database.core import utcnow
from bot.hotline.enums import REASON_LABELS, TicketOutcome, TicketPriority, TicketReason, TicketStatus

STATUS_LABELS = {
    TicketStatus.waiting.value: "Waiting",
    TicketStatus.claimed.value: "Claimed",
    TicketStatus.live.value: "With staff, live",
    TicketStatus.callback_arranged.value: "Call back arranged",
    TicketStatus.resolved.value: "Resolved",
}
STATUS_TAGS = {
    TicketStatus.waiting.value: "govuk-tag--yellow",
    TicketStatus.claimed.value: "govuk-tag--blue",
    TicketStatus.live.value: "govuk-tag--green",
    TicketStatus.callback_arranged.value: "govuk-tag--purple",
    TicketStatus.resolved.value: "govuk-tag--grey",
}
REASONS = {reason.value: label for reason, label in REASON_LABELS.items()}
PRIORITIES = {p.value: p.value.capitalize() for p in TicketPriority}
OUTCOMES = {
    TicketOutcome.answered.value: "Answered",
    TicketOutcome.callback_made.value: "Call back made",
    TicketOutcome.referred_to_ambassador.value: "Referred to an ambassador",
    TicketOutcome.referred_to_support_programme.value: "Referred to the support programme",
    TicketOutcome.no_response.value: "No response",
    TicketOutcome.not_relevant.value: "Not relevant",
}
EVENT_LABELS = {
    "created": "Handed off by the assistant",
    "status_changed": "Status changed",
    "assigned": "Assignee changed",
    "taken_over": "Taken over from a colleague",
    "note_added": "Note added",
    "priority_changed": "Priority changed",
    "staff_replied": "Replied to the visitor",
    "contact_updated": "Contact details changed",
    "erased": "Visitor's personal data erased on request",
}
assert set(REASONS) == {r.value for r in TicketReason}


def age(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return ""
    seconds = max(0, int(((now or utcnow()) - moment).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"


# The store keeps times in UTC; the team reads them in the office's time zone.
_display_zone = ZoneInfo("Europe/London")


def set_display_zone(name: str) -> None:
    global _display_zone
    _display_zone = ZoneInfo(name)


def _local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(_display_zone) if moment.tzinfo is None else moment


def day(moment: datetime | None) -> str:
    """The date alone, in the office's time zone: "1 December 2026"."""
    return _local(moment).strftime("%-d %B %Y") if moment is not None else ""


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.replace(tzinfo=timezone.utc).astimezone(_display_zone) if moment.tzinfo is None else moment
    return local.strftime("%-d %b %Y, %H:%M")
