"""Conversations and their transcripts."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.chat.enums import Sender
from bot.chat.models import Conversation, Message
from bot.database.core import utcnow


def get(*, db_session: Session, conversation_id: str) -> Conversation | None:
    return db_session.get(Conversation, conversation_id)


def get_or_create(*, db_session: Session, conversation_id: str, channel: str = "rest") -> Conversation:
    conversation = get(db_session=db_session, conversation_id=conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, channel=channel)
        db_session.add(conversation)
        db_session.flush()
    return conversation


def add_message(
    *,
    db_session: Session,
    conversation: Conversation,
    sender: Sender,
    text: str,
    data: dict | None = None,
    staff_id: int | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        sender=sender.value,
        text=text,
        data=data,
        staff_id=staff_id,
    )
    conversation.last_activity_at = utcnow()
    db_session.add(message)
    db_session.flush()
    return message


def message_count(*, db_session: Session, conversation_id: str) -> int:
    return db_session.scalar(select(func.count(Message.id)).where(Message.conversation_id == conversation_id))


def import_transcript(
    *, db_session: Session, conversation: Conversation, messages: Iterable[tuple[Sender, str, dict | None]]
) -> int:
    """Store a transcript the bot kept, unless this service already holds one.

    Conversations that came through the widget gateway are already stored message by
    message, and the stored copy is the one to keep.
    """
    if message_count(db_session=db_session, conversation_id=conversation.id):
        return 0
    count = 0
    for sender, text, data in messages:
        add_message(db_session=db_session, conversation=conversation, sender=sender, text=text, data=data)
        count += 1
    return count
