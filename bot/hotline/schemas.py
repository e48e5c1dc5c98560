from __future__ import annotations

from datetime import datetime
from typing import List

from pydantic import Field, constr, root_validator, validator

from bot.api.schemas import ApiModel, RequestModel
from bot.hotline import contact
from bot.hotline.enums import ContactMethod, TicketPriority, TicketReason, TicketStatus

# The sender id of the Rasa conversation an action ran in (tracker.sender_id). For a widget
# conversation it is the HMAC the gateway gave Rasa, never the public conversation id.
SenderId = constr(strip_whitespace=True, min_length=1, max_length=64, regex=r"^[A-Za-z0-9_.:\-]+$")


class TranscriptMessage(RequestModel):
    sender: constr(regex=r"^(user|bot)$")
    text: constr(max_length=5000) = ""
    data: dict | None = None


class TicketCreate(RequestModel):
    sender_id: SenderId = Field(
        ...,
        description="The Rasa sender id of the conversation handed off: the ticket is linked to the "
        "widget conversation that Rasa knows by it, and to no other.",
    )
    request_id: constr(min_length=1, max_length=100, regex=r"^[A-Za-z0-9_.:\-]+$") | None = Field(
        None,
        description="The caller's key for this handoff (one per form run): a repeat with the same key "
        "returns the ticket already made, so a retry after a timeout never makes a second.",
    )
    reason: TicketReason
    category: constr(strip_whitespace=True, max_length=60) | None = None
    priority: TicketPriority = TicketPriority.normal
    contact_name: constr(strip_whitespace=True, min_length=1, max_length=120) | None = None
    contact_method: ContactMethod | None = None
    contact_email: constr(strip_whitespace=True, max_length=254) | None = None
    contact_phone: constr(strip_whitespace=True, max_length=40) | None = None
    description: constr(strip_whitespace=True, max_length=2000) | None = None
    consent: bool
    ambassador_id: constr(strip_whitespace=True, min_length=1, max_length=120) | None = None
    transcript: List[TranscriptMessage] = Field(default_factory=list, max_items=1000)

    @validator("contact_email")
    def _valid_email(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        email = contact.normalise_email(value)
        if email is None:
            raise ValueError("is not a valid email address")
        return email

    @validator("contact_phone")
    def _valid_phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        phone = contact.normalise_phone(value)
        if phone is None:
            raise ValueError("is not a valid UK or international phone number")
        return phone

    @root_validator(skip_on_failure=True)
    def _contact_matches_method(cls, values: dict) -> dict:
        method = values.get("contact_method")
        if method is ContactMethod.email and not values.get("contact_email"):
            raise ValueError("contact_email is required when contact_method is email")
        if method is ContactMethod.phone and not values.get("contact_phone"):
            raise ValueError("contact_phone is required when contact_method is phone")
        if values.get("consent") and method is None:
            raise ValueError("contact_method is required when consent is given")
        return values


class TicketCreated(ApiModel):
    reference: str
    status: TicketStatus
    created_at: datetime
    office_open: bool | None = None
    next_opening: str | None = None
