from __future__ import annotations

from datetime import datetime
from typing import Dict, List

from pydantic import Field, StrictStr, constr, root_validator

from bot.api.schemas import ApiModel


class Button(ApiModel):
    title: str
    payload: str


class MessageRead(ApiModel):
    id: int
    sender: str
    text: str
    buttons: List[Button] = []
    created_at: datetime
    author: str | None = Field(
        None, description="A staff reply's author, by first name; on a notice, who is now talking"
    )
    live: bool | None = Field(None, description="On a notice: true when staff take the conversation live, false after")
    ticket_reference: str | None = Field(None, description="The hotline reference a message gives the visitor")
    input: str | None = Field(None, description="What a question asks for: text, name, email or phone")
    card: Dict[str, str] | None = Field(
        None, description="An ambassador, as a card: name, role, organisation, sectors, region, experience, as_of"
    )


class MessageIn(ApiModel):
    """What the visitor sends: typed text, or a button's payload and title."""

    text: StrictStr | None = None
    payload: constr(strip_whitespace=True, min_length=1, max_length=1000) | None = None
    title: constr(strip_whitespace=True, max_length=300) | None = None
    client_message_id: constr(min_length=1, max_length=64, regex=r"^[A-Za-z0-9_-]+$") | None = Field(
        None,
        description="The sender's id for this message, the same on every retry of one send: a repeat "
        "returns the stored message and its replies, and is not answered twice.",
    )

    @root_validator(skip_on_failure=True)
    def _text_or_payload(cls, values: dict) -> dict:
        if values.get("payload") is None and values.get("text") is None:
            raise ValueError("send either 'text' or a button's 'payload'")
        return values


class ConversationStart(ApiModel):
    greet: bool = Field(
        False,
        description="Open with the assistant's greeting (returned in `messages`), without a message from the visitor.",
    )


class ConversationCreated(ApiModel):
    conversation_id: str
    token: str
    max_message_length: int
    hotline_number: str
    messages: List[MessageRead] = []


class MessageSent(ApiModel):
    message: MessageRead
    replies: List[MessageRead]


class MessagesPage(ApiModel):
    messages: List[MessageRead]
    with_staff: bool
