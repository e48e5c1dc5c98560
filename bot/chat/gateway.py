"""The widget gateway's core: a visitor's message in, the bot's replies out, everything
stored in the transcript before it is acknowledged."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.chat import rasa
from bot.chat import service as chat_service
from bot.chat.enums import Sender
from bot.chat.models import Conversation, Message
from bot.config import Settings
from bot.hotline import service as hotline_service

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PAYLOAD = re.compile(r"^/[a-z_]{1,60}(\{.{0,900}\})?$", re.S)


class InvalidMessage(ValueError):
    pass


class ExpiredOption(ValueError):
    """A button from earlier in the conversation, pressed after it moved on (in another tab,
    or through an old page): not sent to the bot as if it were a new question."""


EXPIRED_OPTION = "That option has expired. Choose from the latest options, or type your question."


@dataclass
class Outcome:
    message: Message
    replies: list[Message]


# A lone surrogate ("\ud800" in JSON) is valid JSON but cannot be stored or sent on: it is
# kept as the replacement character, so the message is still stored and answered.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str | None, max_length: int) -> str:
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", text or "")).strip()
    if not text:
        raise InvalidMessage("Type a message before sending.")
    if len(text) > max_length:
        raise InvalidMessage(
            f"Your message is {len(text)} characters long. The limit is {max_length}: shorten it and send it again."
        )
    return text


def unavailable_text(settings: Settings) -> str:
    return (
        "Sorry, the assistant is unavailable just now. Your message has been kept. Please try "
        f"again in a few minutes, or call the hotline on {settings.hotline_number}."
    )


def receive(
    *,
    db_session: Session,
    conversation: Conversation,
    settings: Settings,
    text: str | None = None,
    payload: str | None = None,
    title: str | None = None,
    client_message_id: str | None = None,
) -> Outcome:
    """Store the visitor's message, pass it to Rasa unless staff have the conversation,
    and store what comes back.

    A repeat of a message already stored (the same `client_message_id`: the widget retrying
    after a timeout) is answered from the store: not stored or sent to Rasa again. Whether
    the bot or staff answer is decided in the write that stores the message, and again in
    the write that stores the bot's replies: replies that come back after the conversation
    went live are dropped, so the bot never speaks over a member of staff.
    """
    if client_message_id:
        repeat = chat_service.by_client_message_id(
            db_session=db_session, conversation_id=conversation.id, client_message_id=client_message_id
        )
        if repeat is not None:
            return _repeat(db_session, repeat)
    if payload is not None:
        # A button's payload is an intent ("/affirm") or plain words ("email").
        if payload.startswith("/") and not PAYLOAD.match(payload):
            raise InvalidMessage("That button is not one this assistant offers.")
        offered, expired = chat_service.offered_payloads(db_session=db_session, conversation_id=conversation.id)
        if payload in expired:
            raise ExpiredOption(EXPIRED_OPTION)
        if payload.startswith(hotline_service.SATISFACTION_PAYLOAD) and payload in offered:
            return _rated(db_session, conversation, payload, clean_text(title or payload, 300), client_message_id)
        to_rasa = payload if payload.startswith("/") else clean_text(payload, settings.max_message_length)
        shown = clean_text(title or payload, 300)
        data = {"payload": payload}
    else:
        shown = clean_text(text, settings.max_message_length)
        # Typed text is never read as a command: Rasa treats a leading "/" as an intent.
        to_rasa, data = shown.lstrip("/") or shown, None
    try:
        message = chat_service.add_message(
            db_session=db_session,
            conversation=conversation,
            sender=Sender.user,
            text=shown,
            data=data,
            client_message_id=client_message_id,
        )
    except IntegrityError:
        # The same send arrived twice at once: the first one stored it.
        db_session.rollback()
        repeat = chat_service.by_client_message_id(
            db_session=db_session, conversation_id=conversation.id, client_message_id=client_message_id
        )
        if repeat is None:
            raise
        return _repeat(db_session, repeat)
    sender = chat_service.link_rasa_sender(db_session=db_session, conversation=conversation, key=settings.rasa_token)
    to_bot = chat_service.bot_may_speak(db_session=db_session, conversation_id=conversation.id)
    db_session.commit()  # kept, whatever happens next

    if not to_bot:
        return Outcome(message=message, replies=[])

    try:
        replies = rasa_pool(tuple(settings.rasa_servers), settings.rasa_token).send(
            sender=sender, message=to_rasa, timeout=settings.rasa_timeout_seconds
        )
    except rasa.RasaUnavailable:
        replies = []
    if not chat_service.bot_may_speak(db_session=db_session, conversation_id=conversation.id):
        # Staff took the conversation live while Rasa was answering: they answer now.
        db_session.rollback()
        log.info("Bot replies dropped: the conversation went live while Rasa answered")
        return Outcome(message=message, replies=[])
    stored = store_replies(db_session=db_session, conversation=conversation, replies=replies, reply_to=message)
    if not stored:
        stored = [
            chat_service.add_message(
                db_session=db_session,
                conversation=conversation,
                sender=Sender.system,
                text=unavailable_text(settings),
                reply_to_id=message.id,
            )
        ]
    db_session.commit()
    return Outcome(message=message, replies=stored)


def _rated(
    db_session: Session, conversation: Conversation, payload: str, shown: str, client_message_id: str | None
) -> Outcome:
    """The visitor's answer to the satisfaction check after a ticket was resolved: recorded
    on the ticket and thanked for here; it is not a question for the bot."""
    message = chat_service.add_message(
        db_session=db_session,
        conversation=conversation,
        sender=Sender.user,
        text=shown,
        data={"payload": payload},
        client_message_id=client_message_id,
    )
    hotline_service.record_satisfaction(
        db_session=db_session,
        conversation_id=conversation.id,
        helped=payload == hotline_service.SATISFACTION_BUTTONS[0]["payload"],
    )
    thanks = chat_service.add_message(
        db_session=db_session,
        conversation=conversation,
        sender=Sender.system,
        text=hotline_service.SATISFACTION_THANKS,
        reply_to_id=message.id,
    )
    db_session.commit()
    return Outcome(message=message, replies=[thanks])


GREETING = "/greet"


def greet(*, db_session: Session, conversation: Conversation, settings: Settings) -> list[Message]:
    """The assistant's opening message on a new conversation, with nothing stored for the
    visitor (who has said nothing). If Rasa does not answer, a notice that says so: the
    conversation still works, and the visitor can type."""
    sender = chat_service.link_rasa_sender(db_session=db_session, conversation=conversation, key=settings.rasa_token)
    db_session.commit()
    try:
        replies = rasa_pool(tuple(settings.rasa_servers), settings.rasa_token).send(
            sender=sender, message=GREETING, timeout=settings.rasa_timeout_seconds
        )
    except rasa.RasaUnavailable:
        replies = []
    stored = store_replies(db_session=db_session, conversation=conversation, replies=replies)
    if not stored:
        stored = [
            chat_service.add_message(
                db_session=db_session, conversation=conversation, sender=Sender.system, text=unavailable_text(settings)
            )
        ]
    db_session.commit()
    return stored


def _repeat(db_session: Session, message: Message) -> Outcome:
    """A send already stored: the message and whatever has answered it so far (the rest
    reaches the widget through its event stream)."""
    return Outcome(message=message, replies=chat_service.replies_to(db_session=db_session, message_id=message.id))


@functools.lru_cache(maxsize=8)
def rasa_pool(urls: tuple[str, ...], token: str) -> rasa.RasaPool:
    """One round-robin pool per set of Rasa servers, shared by the requests of this process."""
    return rasa.RasaPool(urls, token)


def store_replies(
    *, db_session: Session, conversation: Conversation, replies: list[dict], reply_to: Message | None = None
) -> list[Message]:
    stored: list[Message] = []
    for reply in replies:
        if not isinstance(reply, dict):
            continue
        text = str(reply.get("text") or "")
        buttons = [
            {"title": str(b.get("title", ""))[:300], "payload": str(b.get("payload", ""))[:1000]}
            for b in reply.get("buttons") or []
            if isinstance(b, dict)
        ]
        custom = reply.get("custom")
        if not text and not buttons:
            if custom and stored:  # structured extras belong to the message before them
                stored[-1].data = {**(stored[-1].data or {}), "custom": custom}
            continue
        data = {k: v for k, v in (("buttons", buttons), ("custom", custom)) if v} or None
        stored.append(
            chat_service.add_message(
                db_session=db_session,
                conversation=conversation,
                sender=Sender.bot,
                text=text,
                data=data,
                reply_to_id=reply_to.id if reply_to is not None else None,
            )
        )
    return stored
