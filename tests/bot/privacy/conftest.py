"""Conversations handed to the hotline, aged as the tests need, and a Rasa tracker store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, insert, select

from bot.chat import service as chat_service
from bot.chat.enums import Sender
from bot.chat.models import Conversation
from bot.database.core import utcnow
from bot.faq.models import AnswerFeedback, QuestionLog
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketOutcome, TicketStatus
from bot.hotline.models import StaffAccount, Ticket, TicketEvent
from bot.hotline.schemas import TicketCreate
from tests.conftest import RASA_TOKEN

EMAIL = "sam.jones@example.org"
PHONE = "07700 900123"

# The table Rasa 3.6's SQLTrackerStore creates (rasa/core/tracker_store.py, SQLEvent).
tracker_metadata = MetaData()
tracker_events = Table(
    "events",
    tracker_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def staff(db_session) -> StaffAccount:
    account = db_session.scalar(select(StaffAccount).where(StaffAccount.email == "agent@example.gov.uk"))
    if account is None:
        account = StaffAccount(email="agent@example.gov.uk", display_name="Jo Agent", password_hash="x")
        db_session.add(account)
        db_session.flush()
    return account


def widget(db_session, conversation_id: str) -> Conversation:
    """A widget conversation with this id (made if missing), linked to its Rasa sender id."""
    conversation = chat_service.get(db_session=db_session, conversation_id=conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, channel="widget", token_hash="0" * 64)
        db_session.add(conversation)
        db_session.flush()
    chat_service.link_rasa_sender(db_session=db_session, conversation=conversation, key=RASA_TOKEN)
    return conversation


def chat(db_session, *, conversation_id: str, idle_days: float, now: datetime | None = None) -> Conversation:
    """A conversation without a handoff, last active `idle_days` ago."""
    conversation = widget(db_session, conversation_id)
    chat_service.add_message(db_session=db_session, conversation=conversation, sender=Sender.user, text=f"I am {EMAIL}")
    chat_service.add_message(db_session=db_session, conversation=conversation, sender=Sender.bot, text="Thank you.")
    db_session.add(QuestionLog(conversation_id=conversation_id, text=f"spin out? mail {EMAIL}", decision="none"))
    db_session.add(AnswerFeedback(conversation_id=conversation_id, faq_id=None, helpful=False))
    _age(db_session, conversation_id, idle_days, now)
    return conversation


def handed_off(
    db_session,
    *,
    conversation_id: str,
    idle_days: float,
    status: TicketStatus = TicketStatus.resolved,
    now: datetime | None = None,
) -> Ticket:
    """A conversation handed to the hotline with contact details, a note and an audit
    trail (one entry holding personal data), last active `idle_days` ago."""
    ticket = hotline_service.create(
        db_session=db_session,
        ticket_in=TicketCreate(
            sender_id=widget(db_session, conversation_id).rasa_sender,
            reason="asked_for_person",
            category="Spinning out",
            contact_name="Sam Jones",
            contact_method="email",
            contact_email=EMAIL,
            contact_phone=PHONE,
            description=f"Call me on {PHONE} about our library",
            consent=True,
            transcript=[
                {"sender": "user", "text": f"my email is {EMAIL}"},
                {"sender": "bot", "text": "I'll pass you to the hotline team."},
            ],
        ),
    )
    conversation = chat_service.get(db_session=db_session, conversation_id=conversation_id)
    conversation.token_hash = "0" * 64
    account = staff(db_session)
    hotline_service.claim(db_session=db_session, ticket=ticket, account=account)
    hotline_service.add_note(db_session=db_session, ticket=ticket, account=account, text=f"Rang Sam on {PHONE}")
    db_session.add(
        TicketEvent(ticket=ticket, kind="contact_updated", actor="staff:1", detail={"from": EMAIL, "to": PHONE})
    )
    db_session.add(QuestionLog(conversation_id=conversation_id, text=f"talk to someone, I'm {EMAIL}", decision="none"))
    if status is TicketStatus.resolved:
        hotline_service.resolve(db_session=db_session, ticket=ticket, account=account, outcome=TicketOutcome.answered)
    elif status is not TicketStatus.claimed:
        hotline_service.transition(db_session=db_session, ticket=ticket, new_status=status, actor="staff:1")
    _age(db_session, conversation_id, idle_days, now)
    return ticket


def _age(db_session, conversation_id: str, idle_days: float, now: datetime | None) -> None:
    """Move the conversation, its messages, tickets and logs back in time."""
    from bot.chat.models import Message
    from bot.hotline.models import TicketNote

    then = (now or utcnow()) - timedelta(days=idle_days)
    db_session.flush()
    conversation = chat_service.get(db_session=db_session, conversation_id=conversation_id)
    conversation.created_at = then - timedelta(minutes=10)
    conversation.last_activity_at = then
    for message in db_session.scalars(select(Message).where(Message.conversation_id == conversation_id)):
        message.created_at = then - timedelta(minutes=5)
    for log in db_session.scalars(select(QuestionLog).where(QuestionLog.conversation_id == conversation_id)):
        log.created_at = then - timedelta(minutes=8)
    for ticket in db_session.scalars(select(Ticket).where(Ticket.conversation_id == conversation_id)):
        ticket.created_at = then - timedelta(minutes=6)
        ticket.first_response_at = then - timedelta(minutes=4)
        if ticket.resolved_at:
            ticket.resolved_at = then - timedelta(minutes=1)
        for event in ticket.events:
            event.created_at = then - timedelta(minutes=3)
        for note in db_session.scalars(select(TicketNote).where(TicketNote.ticket_id == ticket.id)):
            note.created_at = then - timedelta(minutes=2)
    db_session.flush()
    # updated_at changes on every flush of a ticket: set it last, without the ORM.
    from sqlalchemy import update

    db_session.execute(
        update(Ticket)
        .where(Ticket.conversation_id == conversation_id)
        .values(updated_at=then)
        .execution_options(synchronize_session=False)
    )
    db_session.expire_all()


@pytest.fixture
def tracker_url(database_url, tmp_path) -> str:
    """Rasa's tracker store: its own SQLite file, as in development, or on PostgreSQL the
    test's database (Rasa's table is `events`; the store has none)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
    return database_url


def create_tracker_events(tracker_url: str, events_by_sender: dict[str, int]) -> None:
    engine = create_engine(tracker_url, future=True)
    tracker_metadata.create_all(engine)
    with engine.begin() as connection:
        for sender_id, count in events_by_sender.items():
            for n in range(count):
                connection.execute(
                    insert(tracker_events).values(
                        sender_id=sender_id,
                        type_name="user",
                        timestamp=1_700_000_000.0 + n,
                        intent_name="request_human",
                        data=f'{{"event": "user", "text": "my email is {EMAIL}"}}',
                    )
                )
    engine.dispose()


def tracker_senders(tracker_url: str) -> dict[str, int]:
    engine = create_engine(tracker_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(select(tracker_events.c.sender_id)).scalars().all()
    engine.dispose()
    counts: dict[str, int] = {}
    for sender_id in rows:
        counts[sender_id] = counts.get(sender_id, 0) + 1
    return counts
