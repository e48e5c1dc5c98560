"""Conversations and their transcripts."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.chat.enums import Sender
from bot.chat.models import Conversation, Message
from bot.database.core import utcnow


class ConversationNotFound(LookupError):
    pass


class WrongToken(PermissionError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(*, db_session: Session, channel: str = "widget") -> tuple[Conversation, str]:
    """A new conversation with an unguessable id, and the token that proves it is yours.

    Only the token's hash is stored.
    """
    token = secrets.token_urlsafe(32)
    conversation = Conversation(id=secrets.token_urlsafe(18), token_hash=_hash(token), channel=channel)
    db_session.add(conversation)
    db_session.flush()
    return conversation, token


def get_with_token_or_raise(*, db_session: Session, conversation_id: str, token: str | None) -> Conversation:
    conversation = get(db_session=db_session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    if not token or conversation.token_hash is None or not hmac.compare_digest(conversation.token_hash, _hash(token)):
        raise WrongToken(conversation_id)
    return conversation


def messages_after(*, db_session: Session, conversation_id: str, after_id: int = 0, limit: int = 500) -> list[Message]:
    return list(
        db_session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
    )


def messages_for_stream(
    *,
    db_session: Session,
    conversation_id: str,
    after_id: int,
    recent_after_id: int,
    recent_since,
    limit: int = 500,
) -> list[Message]:
    """What an event stream sends next: messages past `after_id`, and also those past
    `recent_after_id` created since `recent_since`.

    Ids are handed out when a message is written but become visible when its transaction
    commits, so with two writers at once (a bot reply and a staff reply, say) id 8 can
    appear after id 9 has been sent. Looking back over the last few seconds still finds
    it; the stream skips ids it has already sent.
    """
    late = and_(Message.id > recent_after_id, Message.created_at >= recent_since)
    return list(
        db_session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, or_(Message.id > after_id, late))
            .order_by(Message.id)
            .limit(limit)
        )
    )


def mark_visitor_seen(*, db_session: Session, conversation_id: str) -> None:
    conversation = get(db_session=db_session, conversation_id=conversation_id)
    if conversation is not None:
        conversation.visitor_seen_at = utcnow()


def paired(messages: list[Message]) -> list[Message]:
    """The transcript with each bot reply right after the message it answers (several
    questions sent at once are stored before their answers), otherwise in order."""
    position = {message.id: index for index, message in enumerate(messages)}

    def key(message: Message) -> tuple[int, int, int]:
        answered = position.get(message.reply_to_id) if message.reply_to_id is not None else None
        if answered is None:
            return (position[message.id], 0, message.id)
        return (answered, 1, message.id)

    return sorted(messages, key=key)


# The kinds of answer a bot question asks for (actions/handoff.py), so the widget can label
# its box and offer the right keyboard.
INPUT_KINDS = ("text", "name", "email", "phone")
# An ambassador's card (actions/directory.py: card), shown by the widget as a card.
CARD_FIELDS = ("name", "role", "organisation", "sectors", "region", "experience", "as_of")


def to_read(message: Message) -> dict:
    data = message.data or {}
    custom = data.get("custom") if isinstance(data.get("custom"), dict) else {}
    from_bot = message.sender in (Sender.bot.value, Sender.system.value)
    reference = data.get("ticket_reference") or custom.get("ticket_reference")
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "buttons": data.get("buttons") or [] if from_bot else [],
        "created_at": message.created_at,
        "author": data.get("author") if message.sender in (Sender.staff.value, Sender.system.value) else None,
        "live": data.get("live") if message.sender == Sender.system.value else None,
        "ticket_reference": reference if from_bot and isinstance(reference, str) else None,
        "input": custom.get("input")
        if message.sender == Sender.bot.value and custom.get("input") in INPUT_KINDS
        else None,
        "card": _card(custom.get("ambassador")) if message.sender == Sender.bot.value else None,
    }


def _card(ambassador) -> dict | None:
    if not isinstance(ambassador, dict) or not isinstance(ambassador.get("name"), str):
        return None
    return {key: ambassador[key][:500] for key in CARD_FIELDS if isinstance(ambassador.get(key), str)}


def get(*, db_session: Session, conversation_id: str) -> Conversation | None:
    return db_session.get(Conversation, conversation_id)


def rasa_sender(conversation_id: str, key: str) -> str:
    """The sender id Rasa sees for a conversation: only a holder of `key` (RASA_TOKEN) can
    make it from the public id."""
    digest = hmac.new(key.encode(), f"rasa-sender:{conversation_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:40]


def link_rasa_sender(*, db_session: Session, conversation: Conversation, key: str) -> str:
    """The conversation's Rasa sender id, made and stored on its first turn (kept after, so a
    new RASA_TOKEN does not split a conversation in two)."""
    if not conversation.rasa_sender:
        conversation.rasa_sender = rasa_sender(conversation.id, key)
        db_session.flush()
    return conversation.rasa_sender


def for_rasa_sender(*, db_session: Session, sender_id: str) -> Conversation | None:
    return db_session.scalar(select(Conversation).where(Conversation.rasa_sender == sender_id))


def for_rasa_turn(*, db_session: Session, sender_id: str) -> Conversation:
    """The conversation a Rasa turn (an action's tracker) belongs to.

    A widget conversation is found only by its HMAC sender id, which the gateway alone can
    make; any other sender (a Rasa conversation that did not come through the gateway, or a
    public id passed off as a sender) gets a conversation of its own, never someone else's.
    """
    conversation = for_rasa_sender(db_session=db_session, sender_id=sender_id)
    if conversation is None:
        conversation = Conversation(id=secrets.token_urlsafe(18), channel="rest", rasa_sender=sender_id)
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
    client_message_id: str | None = None,
    reply_to_id: int | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        sender=sender.value,
        text=text,
        data=data,
        staff_id=staff_id,
        client_message_id=client_message_id,
        reply_to_id=reply_to_id,
    )
    conversation.last_activity_at = utcnow()
    db_session.add(message)
    db_session.flush()
    return message


def by_client_message_id(*, db_session: Session, conversation_id: str, client_message_id: str) -> Message | None:
    return db_session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_message_id == client_message_id
        )
    )


def replies_to(*, db_session: Session, message_id: int) -> list[Message]:
    return list(db_session.scalars(select(Message).where(Message.reply_to_id == message_id).order_by(Message.id)))


def bot_may_speak(*, db_session: Session, conversation_id: str) -> bool:
    """Whether the bot still has the conversation, decided in this transaction's write.

    A conditional UPDATE, not a read: on PostgreSQL it waits for a staff reply that is
    taking the conversation live and then sees it; on SQLite writers take turns. True means
    no staff member had the conversation when this write was made.
    """
    result = db_session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.bot_paused.is_(False))
        .values(last_activity_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def offered_payloads(*, db_session: Session, conversation_id: str) -> tuple[set[str], set[str]]:
    """The button payloads the conversation offers now (on the messages since the visitor's
    last message) and those it offered before that and no longer does."""
    last_user = db_session.scalar(
        select(func.max(Message.id)).where(
            Message.conversation_id == conversation_id, Message.sender == Sender.user.value
        )
    )
    rows = db_session.execute(
        select(Message.id, Message.data).where(
            Message.conversation_id == conversation_id,
            Message.sender.in_((Sender.bot.value, Sender.system.value)),
            Message.data.isnot(None),
        )
    )
    current: set[str] = set()
    earlier: set[str] = set()
    for message_id, data in rows:
        payloads = {str(b.get("payload")) for b in (data or {}).get("buttons") or [] if isinstance(b, dict)}
        (current if last_user is None or message_id > last_user else earlier).update(payloads)
    return current, earlier - current


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
