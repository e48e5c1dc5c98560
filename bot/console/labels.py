"""Words the console shows for the queue's states, and friendly times."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bot.database.core import utcnow
from bot.faq.enums import Topic
from bot.hotline.enums import REASON_LABELS, TicketOutcome, TicketPriority, TicketStatus

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
    "visitor_rated": "Asked if they got the help they needed, the visitor said",
}
# A ticket's category is the topic of the last answer before the handoff.
TOPICS = {
    Topic.about_mutuals.value: "About mutuals",
    Topic.legal_forms.value: "Legal forms",
    Topic.spin_out_journey.value: "The spin-out journey",
    Topic.contracts_procurement.value: "Contracts and procurement",
    Topic.tupe.value: "TUPE",
    Topic.pensions.value: "Pensions",
    Topic.funding_support.value: "Funding and support",
    Topic.nhs_routes.value: "NHS routes",
    Topic.right_to_challenge.value: "Right to challenge",
    Topic.sector_size.value: "Size of the sector",
    Topic.examples.value: "Examples of mutuals",
    Topic.information_service.value: "The information service",
    Topic.ambassadors.value: "Ambassadors",
}


def category(value: str | None) -> str:
    """A ticket's category as the team reads it, never the stored key."""
    if not value:
        return "Not known"
    return TOPICS.get(value) or value.replace("-", " ").replace("_", " ").capitalize()


def age(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return ""
    return duration(((now or utcnow()) - moment).total_seconds())


def duration(seconds: float) -> str:
    """A length of time in the largest whole unit: "3 hours", "1 day", "less than a minute"."""
    seconds = max(0, int(seconds))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"


def left_waiting_at(ticket, events) -> datetime | None:
    """When a ticket was first taken out of the waiting queue (claimed, replied to, called
    back or resolved), from its audit trail; None while it has never left it."""
    for event in events:
        if event.kind == "status_changed" and event.from_status == TicketStatus.waiting.value:
            return event.created_at
    return None


def waited(*, created_at: datetime, left_waiting: datetime | None, now: datetime | None = None) -> str:
    """How long a ticket waited for someone to take it: from its handoff until it was first
    taken (claimed, replied to or resolved), or until now while nobody has."""
    end = left_waiting or now or utcnow()
    return duration((end - created_at).total_seconds())


# The store keeps times in UTC; the team reads them in the office's time zone.
_display_zone = ZoneInfo("Europe/London")


def set_display_zone(name: str) -> None:
    global _display_zone
    _display_zone = ZoneInfo(name)


def display_zone() -> ZoneInfo:
    return _display_zone


def zone_name() -> str:
    """How the console names its time zone next to a time a person types."""
    return "UK time" if _display_zone.key == "Europe/London" else _display_zone.key.replace("_", " ")


def _local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(_display_zone) if moment.tzinfo is None else moment


def day(moment: datetime | date | None) -> str:
    """The date alone, in the office's time zone: "1 December 2026"."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return f"{moment.day} {moment:%B %Y}"
    local = _local(moment)
    return f"{local.day} {local:%B %Y}"


def time_of_day(moment: datetime | None) -> str:
    """GOV.UK style: "9am", "1:42pm", "midday", "midnight", in the office's time zone."""
    if moment is None:
        return ""
    local = _local(moment)
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def when(moment: datetime | None) -> str:
    """GOV.UK style: "4 December 2026 at 1:42pm", in the office's time zone."""
    if moment is None:
        return ""
    return f"{day(moment)} at {time_of_day(moment)}"
