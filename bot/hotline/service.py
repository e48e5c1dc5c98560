"""The hotline queue: handoff tickets and their audit trail."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.chat import service as chat_service
from bot.chat.enums import Sender
from bot.chat.models import Message
from bot.database.core import LIKE_ESCAPE, contains_pattern, utcnow
from bot.directory import service as directory_service
from bot.hotline import flows
from bot.hotline.enums import TicketEventKind, TicketOutcome, TicketPriority, TicketStatus
from bot.hotline.models import Ticket, TicketEvent, TicketNote
from bot.hotline.schemas import TicketCreate


class TicketNotFound(LookupError):
    pass


class IllegalTransition(ValueError):
    def __init__(self, current: TicketStatus, new: TicketStatus):
        super().__init__(f"A ticket that is {current.value} cannot become {new.value}")
        self.current, self.new = current, new


def reference_for(ticket_id: int) -> str:
    return f"MIS-{ticket_id:06d}"


def get(*, db_session: Session, ticket_id: int) -> Ticket | None:
    return db_session.get(Ticket, ticket_id)


def get_by_reference(*, db_session: Session, reference: str) -> Ticket | None:
    return db_session.scalar(select(Ticket).where(Ticket.reference == reference.strip().upper()))


def get_by_reference_or_raise(*, db_session: Session, reference: str) -> Ticket:
    ticket = get_by_reference(db_session=db_session, reference=reference)
    if ticket is None:
        raise TicketNotFound(reference)
    return ticket


def by_request_id(*, db_session: Session, request_id: str) -> Ticket | None:
    return db_session.scalar(select(Ticket).where(Ticket.request_id == request_id))


def create(*, db_session: Session, ticket_in: TicketCreate, actor: str = "bot") -> Ticket:
    """Open a ticket for a handed-off conversation, keeping the transcript with it.

    With a `request_id` already used, the ticket made then is returned and nothing is
    written (two at once: the unique index refuses the second, and the caller looks again).
    """
    if ticket_in.request_id is not None:
        existing = by_request_id(db_session=db_session, request_id=ticket_in.request_id)
        if existing is not None:
            return existing
    if ticket_in.ambassador_id is not None:
        directory_service.get_or_raise(db_session=db_session, ambassador_id=ticket_in.ambassador_id)
    conversation = chat_service.for_rasa_turn(db_session=db_session, sender_id=ticket_in.sender_id)
    chat_service.import_transcript(
        db_session=db_session,
        conversation=conversation,
        messages=[(Sender(m.sender), m.text, m.data) for m in ticket_in.transcript],
    )
    ticket = Ticket(
        conversation_id=conversation.id,
        request_id=ticket_in.request_id,
        reason=ticket_in.reason.value,
        category=ticket_in.category,
        priority=ticket_in.priority.value,
        status=TicketStatus.waiting.value,
        contact_name=ticket_in.contact_name,
        contact_method=ticket_in.contact_method.value if ticket_in.contact_method else None,
        contact_email=ticket_in.contact_email,
        contact_phone=ticket_in.contact_phone,
        description=ticket_in.description,
        consent=ticket_in.consent,
        ambassador_id=ticket_in.ambassador_id,
    )
    db_session.add(ticket)
    db_session.flush()
    ticket.reference = reference_for(ticket.id)
    db_session.add(
        TicketEvent(
            ticket=ticket,
            kind=TicketEventKind.created.value,
            actor=actor,
            to_status=TicketStatus.waiting.value,
            detail={"reason": ticket.reason, "category": ticket.category},
        )
    )
    chat_service.add_message(
        db_session=db_session,
        conversation=conversation,
        sender=Sender.system,
        text=f"Handed to the hotline team as {ticket.reference}.",
        data={"ticket_reference": ticket.reference},
    )
    db_session.flush()
    return ticket


def transition(
    *,
    db_session: Session,
    ticket: Ticket,
    new_status: TicketStatus,
    actor: str,
    detail: dict | None = None,
    author: str | None = None,
) -> TicketEvent:
    """Change a ticket's status, refusing changes the queue does not allow. `author`: the
    name of the member of staff, where the visitor is told who is talking to them."""
    current = TicketStatus(ticket.status)
    if not flows.can_transition(current, new_status):
        raise IllegalTransition(current, new_status)
    now = utcnow()
    ticket.status = new_status.value
    if new_status is TicketStatus.resolved:
        ticket.resolved_at = now
    elif current is TicketStatus.resolved:
        ticket.resolved_at = None
        ticket.outcome = None
    if new_status in (TicketStatus.live, TicketStatus.callback_arranged) and ticket.first_response_at is None:
        ticket.first_response_at = now
    _pause_or_resume_bot(db_session=db_session, ticket=ticket, author=author)
    if new_status is TicketStatus.resolved:
        _tell_visitor_resolved(db_session=db_session, ticket=ticket)
    event = TicketEvent(
        ticket=ticket,
        kind=TicketEventKind.status_changed.value,
        actor=actor,
        from_status=current.value,
        to_status=new_status.value,
        detail=detail,
    )
    db_session.add(event)
    db_session.flush()
    return event


LIVE_NOTICE = "You are now talking to {who} from the hotline team."
BACK_TO_BOT_NOTICE = (
    "The hotline team has passed you back to the digital assistant. You can keep asking questions here."
)
RESOLVED_NOTICE = (
    "The hotline team has closed your enquiry. Your reference is {reference}.\n\n"
    "If you need more help, ask here or call the hotline on {number} and give your reference."
)
SATISFACTION_QUESTION = "Did you get the help you needed?"
# The satisfaction check's buttons: answered by the gateway (bot/chat/gateway.py), never
# sent to the bot.
SATISFACTION_PAYLOAD = "/rate_hotline"
SATISFACTION_BUTTONS = (
    {"title": "Yes", "payload": SATISFACTION_PAYLOAD + '{"helped": true}'},
    {"title": "No", "payload": SATISFACTION_PAYLOAD + '{"helped": false}'},
)
SATISFACTION_THANKS = "Thank you for telling us. It helps the hotline team improve the service."


def first_name(display_name: str | None) -> str | None:
    """The name a visitor sees for a member of staff: their first name only."""
    parts = (display_name or "").split()
    return parts[0][:40] if parts else None


def _pause_or_resume_bot(*, db_session: Session, ticket: Ticket, author: str | None = None) -> None:
    """The bot is quiet while staff talk with the visitor live, and only then. The visitor is
    told who has the conversation (a resolved ticket gets its own closing message)."""
    if ticket.conversation_id is None:
        return
    conversation = chat_service.get(db_session=db_session, conversation_id=ticket.conversation_id)
    live = ticket.status == TicketStatus.live.value
    if conversation is None or conversation.bot_paused == live:
        return
    conversation.bot_paused = live
    if not live and ticket.status == TicketStatus.resolved.value:
        return
    name = first_name(author)
    chat_service.add_message(
        db_session=db_session,
        conversation=conversation,
        sender=Sender.system,
        text=LIVE_NOTICE.format(who=name or "a member of staff") if live else BACK_TO_BOT_NOTICE,
        data={"live": live, "author": name} if live else {"live": False},
    )


def _tell_visitor_resolved(*, db_session: Session, ticket: Ticket) -> None:
    """A plain closing message with the reference, and one question: did it help?"""
    if ticket.conversation_id is None:
        return
    conversation = chat_service.get(db_session=db_session, conversation_id=ticket.conversation_id)
    if conversation is None or conversation.purged_at is not None:
        return
    from bot.config import get_settings

    chat_service.add_message(
        db_session=db_session,
        conversation=conversation,
        sender=Sender.system,
        text=RESOLVED_NOTICE.format(reference=ticket.reference, number=get_settings().hotline_number)
        + "\n\n"
        + SATISFACTION_QUESTION,
        data={"ticket_reference": ticket.reference, "live": False, "buttons": [dict(b) for b in SATISFACTION_BUTTONS]},
    )


def record_satisfaction(*, db_session: Session, conversation_id: str, helped: bool) -> Ticket | None:
    """The visitor's answer to "Did you get the help you needed?", on the ticket last resolved
    in their conversation."""
    ticket = db_session.scalar(
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.resolved_at.isnot(None))
        .order_by(Ticket.resolved_at.desc())
        .limit(1)
    )
    if ticket is None:
        return None
    _event(db_session, ticket, TicketEventKind.visitor_rated, "visitor", {"helped": helped})
    return ticket


def reply(
    *,
    db_session: Session,
    ticket: Ticket,
    staff_id: int | None,
    actor: str,
    text: str,
    client_message_id: str | None = None,
    author: str | None = None,
):
    """A staff member's message to the visitor. Replying takes the conversation live.
    `client_message_id`: the reply form's nonce, so a form sent twice is stored once.
    `author`: the staff member's name (the visitor sees the first name)."""
    if ticket.conversation_id is None:
        raise ValueError("This ticket has no conversation to reply in.")
    if ticket.status != TicketStatus.live.value:
        transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.live, actor=actor, author=author)
    conversation = chat_service.get(db_session=db_session, conversation_id=ticket.conversation_id)
    name = first_name(author)
    message = chat_service.add_message(
        db_session=db_session,
        conversation=conversation,
        sender=Sender.staff,
        text=text,
        data={"author": name} if name else None,
        staff_id=staff_id,
        client_message_id=f"staff-{client_message_id}" if client_message_id else None,
    )
    if ticket.first_response_at is None:
        ticket.first_response_at = message.created_at
    db_session.add(
        TicketEvent(
            ticket=ticket, kind=TicketEventKind.staff_replied.value, actor=actor, detail={"message_id": message.id}
        )
    )
    db_session.flush()
    return message


def events(*, db_session: Session, ticket: Ticket) -> list[TicketEvent]:
    return list(
        db_session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))
    )


# Staff actions ------------------------------------------------------------------------


def staff_actor(account) -> str:
    return f"staff:{account.id}"


def _event(db_session: Session, ticket: Ticket, kind: TicketEventKind, actor: str, detail: dict | None = None) -> None:
    db_session.add(TicketEvent(ticket=ticket, kind=kind.value, actor=actor, detail=detail))
    db_session.flush()


class AlreadyClaimed(Exception):
    """Someone else has the ticket: taking it from them is a separate, deliberate step."""

    def __init__(self, assignee_id: int):
        super().__init__(f"already claimed by staff {assignee_id}")
        self.assignee_id = assignee_id


def claim(*, db_session: Session, ticket: Ticket, account, take_over: bool = False) -> None:
    """Take a ticket: it is assigned to you and leaves the waiting queue.

    Only an unassigned ticket (or your own) is claimed; one a colleague has raises
    AlreadyClaimed unless `take_over`, which is audited as such. The write is conditional
    on the version read (Ticket.version), so of two claims at once one fails.
    """
    actor = staff_actor(account)
    if ticket.assignee_id not in (None, account.id) and not take_over:
        raise AlreadyClaimed(ticket.assignee_id)
    if ticket.assignee_id != account.id:
        previous = ticket.assignee_id
        ticket.assignee_id = account.id
        kind = TicketEventKind.taken_over if previous is not None else TicketEventKind.assigned
        _event(db_session, ticket, kind, actor, {"from": previous, "to": account.id})
    if TicketStatus(ticket.status) in (TicketStatus.waiting, TicketStatus.callback_arranged):
        transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.claimed, actor=actor)


def release(*, db_session: Session, ticket: Ticket, account) -> None:
    """Put a ticket back in the waiting queue for someone else."""
    actor = staff_actor(account)
    transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.waiting, actor=actor)
    previous, ticket.assignee_id = ticket.assignee_id, None
    _event(db_session, ticket, TicketEventKind.assigned, actor, {"from": previous, "to": None})


def hand_back_to_bot(*, db_session: Session, ticket: Ticket, account) -> None:
    if ticket.status != TicketStatus.live.value:
        raise IllegalTransition(TicketStatus(ticket.status), TicketStatus.claimed)
    transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.claimed, actor=staff_actor(account))


def add_note(*, db_session: Session, ticket: Ticket, account, text: str) -> TicketNote:
    note = TicketNote(ticket=ticket, author_id=account.id, text=text)
    db_session.add(note)
    db_session.flush()
    _event(db_session, ticket, TicketEventKind.note_added, staff_actor(account), {"note_id": note.id})
    return note


def set_priority(*, db_session: Session, ticket: Ticket, account, priority: TicketPriority) -> None:
    if ticket.priority == priority.value:
        return
    previous, ticket.priority = ticket.priority, priority.value
    _event(
        db_session,
        ticket,
        TicketEventKind.priority_changed,
        staff_actor(account),
        {"from": previous, "to": priority.value},
    )


def arrange_callback(*, db_session: Session, ticket: Ticket, account, due_at=None) -> None:
    ticket.callback_due_at = due_at
    if ticket.assignee_id is None:
        ticket.assignee_id = account.id
    transition(
        db_session=db_session,
        ticket=ticket,
        new_status=TicketStatus.callback_arranged,
        actor=staff_actor(account),
        detail={"due_at": due_at.isoformat() if due_at else None},
    )


def resolve(*, db_session: Session, ticket: Ticket, account, outcome: TicketOutcome) -> None:
    transition(
        db_session=db_session,
        ticket=ticket,
        new_status=TicketStatus.resolved,
        actor=staff_actor(account),
        detail={"outcome": outcome.value},
    )
    ticket.outcome = outcome.value


def reopen(*, db_session: Session, ticket: Ticket, account) -> None:
    transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.waiting, actor=staff_actor(account))


# The queue ------------------------------------------------------------------------------


def list_tickets(
    *,
    db_session: Session,
    status: TicketStatus | None = None,
    reason: str | None = None,
    assignee_id: int | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Ticket]:
    """Tickets oldest first, filtered; search matches reference, name, email, phone,
    description or anything the visitor wrote."""
    query = select(Ticket)
    if status is not None:
        query = query.where(Ticket.status == status.value)
    if reason:
        query = query.where(Ticket.reason == reason)
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    if search:
        # % and _ in what staff type are searched for, not wildcards.
        pattern, esc = contains_pattern(search.strip().lower()), LIKE_ESCAPE
        said = select(Message.conversation_id).where(
            Message.sender == Sender.user.value, func.lower(Message.text).like(pattern, escape=esc)
        )
        query = query.where(
            or_(
                func.lower(Ticket.reference).like(pattern, escape=esc),
                func.lower(Ticket.contact_name).like(pattern, escape=esc),
                func.lower(Ticket.contact_email).like(pattern, escape=esc),
                Ticket.contact_phone.like(pattern, escape=esc),
                func.lower(Ticket.description).like(pattern, escape=esc),
                Ticket.conversation_id.in_(said),
            )
        )
    query = query.order_by(Ticket.created_at, Ticket.id).limit(limit).offset(offset)
    return list(db_session.scalars(query))


def counts_by_status(*, db_session: Session) -> dict[str, int]:
    rows = db_session.execute(select(Ticket.status, func.count(Ticket.id)).group_by(Ticket.status)).all()
    counts = {status.value: 0 for status in TicketStatus}
    counts.update({status: count for status, count in rows})
    return counts
