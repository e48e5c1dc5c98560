"""Small pieces the actions share: the hotline apology, slot resets, message text."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.client import get_client

SKIPPED = "(skipped)"
FORM_SLOTS = ("contact_name", "contact_method", "contact_address", "description", "consent")


def hotline() -> str:
    return get_client().hotline_number


def unavailable_message() -> str:
    return (
        "Sorry, I cannot look that up just now. Please try again in a few minutes, "
        f"or call the hotline on {hotline()}."
    )


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    """What the visitor typed; empty for a button payload such as /find_ambassador."""
    text = (tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    values = [str(v).strip() for v in values if v and str(v).strip()]
    return values[0] if values else None


def failed_attempts(tracker: Tracker) -> int:
    return int(tracker.get_slot("failed_attempts") or 0)


def reset_handoff() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [
        SlotSet("handoff_reason", None),
        SlotSet("ambassador_id", None),
        SlotSet("requested_slot", None),
        SlotSet("form_problem", None),
    ]


def offer_handoff_buttons() -> list[dict[str, str]]:
    return [
        {"title": "Yes, contact the hotline team", "payload": "/affirm"},
        {"title": "No, thanks", "payload": "/deny"},
    ]
