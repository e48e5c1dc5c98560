"""Retention and erasure.

Anonymising a conversation removes what a visitor wrote or can be identified by: the
transcript, the contact details and description of its tickets, the text of the team's
notes on them, anything personal in their audit trail, the questions it logged for the
FAQ search and its events in Rasa's tracker store. It keeps what the statistics need:
the conversation row and its dates, and each ticket's reference, reason, category,
priority, status, outcome and times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import column, create_engine, delete, exists, func, inspect, or_, select, table, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.chat.models import Conversation, Message
from bot.database.core import utcnow
from bot.faq.models import QuestionLog
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketEventKind, TicketStatus
from bot.hotline.models import Ticket, TicketEvent, TicketNote

ERASURE_ACTOR = "erasure request"
_CHUNK = 500  # ids per IN (...), well inside every backend's limit

# Rasa 3.6's SQLTrackerStore keeps every event in one table, keyed by the sender id (the
# gateway uses the conversation id).
TRACKER_EVENTS = table("events", column("id"), column("sender_id"))

# What an audit entry may keep once its ticket is anonymised: ids, states and times the
# service wrote itself, never free text. Anything else (and any other kind) is dropped.
_DETAIL_KEPT = {
    TicketEventKind.created.value: {"reason", "category"},
    TicketEventKind.status_changed.value: {"outcome", "due_at"},
    TicketEventKind.assigned.value: {"from", "to"},
    TicketEventKind.priority_changed.value: {"from", "to"},
    TicketEventKind.note_added.value: {"note_id"},
    TicketEventKind.staff_replied.value: {"message_id"},
    TicketEventKind.erased.value: {"messages", "tickets", "tracker_events"},
    TicketEventKind.visitor_rated.value: {"helped"},
}


@dataclass
class PurgeReport:
    """What was (or, in a dry run, would be) anonymised."""

    conversations: int = 0
    messages: int = 0
    tickets: int = 0
    notes: int = 0
    ticket_events: int = 0
    questions: int = 0
    tracker_events: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        lead = "Would anonymise" if self.dry_run else "Anonymised"
        return (
            f"{lead} {self.conversations} conversation(s): {self.messages} message(s) removed, "
            f"contact details cleared on {self.tickets} ticket(s), {self.notes} note(s) and "
            f"{self.ticket_events} audit entr{'y' if self.ticket_events == 1 else 'ies'} blanked, "
            f"{self.questions} logged question(s) blanked, {self.tracker_events} tracker event(s) deleted."
        )


def _chunks(ids: Sequence) -> Iterator[list]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def cutoff_for(*, days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def purgeable_conversation_ids(*, db_session: Session, cutoff: datetime) -> list[str]:
    """Conversations idle since before `cutoff` with no ticket still open, not yet
    anonymised (or active again since they were)."""
    open_ticket = exists().where(
        Ticket.conversation_id == Conversation.id, Ticket.status != TicketStatus.resolved.value
    )
    query = (
        select(Conversation.id)
        .where(
            Conversation.last_activity_at < cutoff,
            or_(Conversation.purged_at.is_(None), Conversation.last_activity_at > Conversation.purged_at),
            ~open_ticket,
        )
        .order_by(Conversation.last_activity_at, Conversation.id)
    )
    return list(db_session.scalars(query))


def purge(
    *,
    db_session: Session,
    days: int,
    tracker_url: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PurgeReport:
    """Anonymise every conversation idle for more than `days` days with no open ticket.

    The store's changes are flushed before the tracker events are deleted and committed
    by the caller afterwards, so a failure anywhere leaves the conversations to the next run.
    """
    now = now or utcnow()
    cutoff = cutoff_for(days=days, now=now)
    conversation_ids = purgeable_conversation_ids(db_session=db_session, cutoff=cutoff)
    report = anonymise(db_session=db_session, conversation_ids=conversation_ids, now=now, dry_run=dry_run)
    report.questions += _blank_orphan_questions(db_session=db_session, cutoff=cutoff, dry_run=dry_run)
    senders = rasa_senders(db_session=db_session, conversation_ids=conversation_ids)
    report.tracker_events = delete_tracker_events(tracker_url=tracker_url, sender_ids=senders, dry_run=dry_run)
    return report


def erase(
    *,
    db_session: Session,
    reference: str,
    tracker_url: str | None = None,
    actor: str = ERASURE_ACTOR,
    now: datetime | None = None,
) -> PurgeReport:
    """Erase one visitor's data, found by a ticket reference, whatever its age: the
    ticket's conversation and every ticket of it. Each ticket's audit trail records the
    erasure, with counts only. Raises hotline_service.TicketNotFound."""
    ticket = hotline_service.get_by_reference_or_raise(db_session=db_session, reference=reference)
    now = now or utcnow()
    conversation_ids = [ticket.conversation_id] if ticket.conversation_id else []
    report = anonymise(db_session=db_session, conversation_ids=conversation_ids, ticket_ids=[ticket.id], now=now)
    senders = rasa_senders(db_session=db_session, conversation_ids=conversation_ids)
    report.tracker_events = delete_tracker_events(tracker_url=tracker_url, sender_ids=senders)
    erased = _ticket_ids(db_session=db_session, conversation_ids=conversation_ids) | {ticket.id}
    for ticket_id in sorted(erased):
        db_session.add(
            TicketEvent(
                ticket_id=ticket_id,
                kind=TicketEventKind.erased.value,
                actor=actor,
                detail={"messages": report.messages, "tickets": len(erased), "tracker_events": report.tracker_events},
                created_at=now,
            )
        )
    db_session.flush()
    return report


def anonymise(
    *,
    db_session: Session,
    conversation_ids: Sequence[str],
    ticket_ids: Iterable[int] = (),
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Remove the personal data of these conversations and of their tickets (and of the
    tickets in `ticket_ids`), and mark the conversations anonymised."""
    now = now or utcnow()
    report = PurgeReport(conversations=len(conversation_ids), dry_run=dry_run)
    tickets = sorted(_ticket_ids(db_session=db_session, conversation_ids=conversation_ids) | set(ticket_ids))

    for chunk in _chunks(conversation_ids):
        in_chunk = Message.conversation_id.in_(chunk)
        report.messages += db_session.scalar(select(func.count(Message.id)).where(in_chunk)) or 0
        asked = QuestionLog.conversation_id.in_(chunk), QuestionLog.text != ""
        report.questions += db_session.scalar(select(func.count(QuestionLog.id)).where(*asked)) or 0
        if not dry_run:
            _execute(db_session, delete(Message).where(in_chunk))
            _execute(db_session, update(QuestionLog).where(*asked).values(text=""))
            # The token goes too: the old widget can no longer reopen the conversation.
            _execute(
                db_session,
                update(Conversation)
                .where(Conversation.id.in_(chunk))
                .values(purged_at=now, token_hash=None, bot_paused=False),
            )

    for chunk in _chunks(tickets):
        has_contact = or_(
            Ticket.contact_name.is_not(None),
            Ticket.contact_email.is_not(None),
            Ticket.contact_phone.is_not(None),
            Ticket.description.is_not(None),
        )
        report.tickets += db_session.scalar(select(func.count(Ticket.id)).where(Ticket.id.in_(chunk), has_contact)) or 0
        written = TicketNote.ticket_id.in_(chunk), TicketNote.text != ""
        report.notes += db_session.scalar(select(func.count(TicketNote.id)).where(*written)) or 0
        for event in db_session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(chunk))):
            scrubbed = scrub_detail(event.kind, event.detail)
            if scrubbed != event.detail:
                report.ticket_events += 1
                if not dry_run:
                    event.detail = scrubbed
        if not dry_run:
            _execute(
                db_session,
                update(Ticket)
                .where(Ticket.id.in_(chunk))
                # updated_at is kept: it is one of the ticket's times, not a record of this.
                .values(
                    contact_name=None,
                    contact_email=None,
                    contact_phone=None,
                    description=None,
                    updated_at=Ticket.updated_at,
                ),
            )
            _execute(db_session, update(TicketNote).where(*written).values(text=""))

    if not dry_run:
        db_session.flush()
        # Bulk statements bypass the objects already loaded; read them afresh.
        db_session.expire_all()
    return report


def scrub_detail(kind: str, detail: dict | None) -> dict | None:
    """An audit entry's detail with only what the service wrote itself kept."""
    if not detail:
        return detail
    kept = _DETAIL_KEPT.get(kind, set())
    return {key: value for key, value in detail.items() if key in kept} or None


def _execute(db_session: Session, statement) -> None:
    db_session.execute(statement.execution_options(synchronize_session=False))


def _ticket_ids(*, db_session: Session, conversation_ids: Sequence[str]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(conversation_ids):
        found.update(db_session.scalars(select(Ticket.id).where(Ticket.conversation_id.in_(chunk))))
    return found


def _blank_orphan_questions(*, db_session: Session, cutoff: datetime, dry_run: bool) -> int:
    """Logged questions older than the cutoff that belong to no stored conversation."""
    orphan = (
        QuestionLog.created_at < cutoff,
        QuestionLog.text != "",
        or_(
            QuestionLog.conversation_id.is_(None),
            ~exists().where(Conversation.id == QuestionLog.conversation_id),
        ),
    )
    count = db_session.scalar(select(func.count(QuestionLog.id)).where(*orphan)) or 0
    if count and not dry_run:
        _execute(db_session, update(QuestionLog).where(*orphan).values(text=""))
    return count


# Rasa's tracker store -------------------------------------------------------------------


def rasa_senders(*, db_session: Session, conversation_ids: Sequence[str]) -> list[str]:
    """The sender ids Rasa may hold these conversations' events under: the HMAC the gateway
    gives it (Conversation.rasa_sender) and, for conversations from before it, the id itself."""
    senders = set(conversation_ids)
    for chunk in _chunks(sorted(set(conversation_ids))):
        senders.update(
            db_session.scalars(
                select(Conversation.rasa_sender).where(
                    Conversation.id.in_(chunk), Conversation.rasa_sender.is_not(None)
                )
            )
        )
    return sorted(senders)


def delete_tracker_events(*, tracker_url: str | None, sender_ids: Sequence[str], dry_run: bool = False) -> int:
    """Delete (or count) these senders' events in Rasa's SQL tracker store. Nothing to do
    when Rasa has not created its store or its `events` table yet."""
    if not tracker_url or not sender_ids:
        return 0
    url = make_url(tracker_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).exists():
            return 0
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            count = 0
            for chunk in _chunks(sorted(set(sender_ids))):
                in_chunk = TRACKER_EVENTS.c.sender_id.in_(chunk)
                if dry_run:
                    count += connection.scalar(select(func.count()).select_from(TRACKER_EVENTS).where(in_chunk)) or 0
                else:
                    count += connection.execute(delete(TRACKER_EVENTS).where(in_chunk)).rowcount or 0
            return count
    finally:
        engine.dispose()
