import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.chat import service as chat_service
from bot.chat.models import Message
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketStatus
from bot.hotline.schemas import TicketCreate
from tests import factories


def ticket_in(**overrides) -> TicketCreate:
    fields = dict(
        sender_id="conv-1",
        reason="asked_for_person",
        contact_name="Sam Jones",
        contact_method="email",
        contact_email="sam@example.org",
        description="We want to spin out our library service.",
        consent=True,
        transcript=[
            {"sender": "user", "text": "can I talk to someone"},
            {"sender": "bot", "text": "I'll pass you to the hotline team."},
        ],
    )
    fields.update(overrides)
    return TicketCreate(**fields)


def test_create_gives_a_reference_an_audit_event_and_the_transcript(db_session):
    ticket = hotline_service.create(db_session=db_session, ticket_in=ticket_in())
    assert ticket.reference == f"MIS-{ticket.id:06d}"
    assert ticket.status == TicketStatus.waiting.value
    assert (ticket.contact_email, ticket.consent) == ("sam@example.org", True)
    events = hotline_service.events(db_session=db_session, ticket=ticket)
    assert [(e.kind, e.actor, e.to_status) for e in events] == [("created", "bot", "waiting")]
    messages = db_session.scalars(
        select(Message).where(Message.conversation_id == ticket.conversation_id).order_by(Message.id)
    ).all()
    assert [m.sender for m in messages] == ["user", "bot", "system"]
    assert ticket.reference in messages[-1].text


def test_references_are_unique_and_sequential(db_session):
    first = hotline_service.create(db_session=db_session, ticket_in=ticket_in(sender_id="a"))
    second = hotline_service.create(db_session=db_session, ticket_in=ticket_in(sender_id="b"))
    assert first.reference != second.reference
    assert second.id == first.id + 1


def test_a_stored_transcript_is_not_duplicated(db_session):
    first = hotline_service.create(db_session=db_session, ticket_in=ticket_in())
    second = hotline_service.create(db_session=db_session, ticket_in=ticket_in())
    assert first.conversation_id == second.conversation_id  # one Rasa sender, one conversation
    senders = db_session.scalars(select(Message.sender).where(Message.conversation_id == first.conversation_id)).all()
    assert senders.count("user") == 1


def test_unknown_ambassador_is_refused(db_session):
    from bot.directory.service import AmbassadorNotFound

    with pytest.raises(AmbassadorNotFound):
        hotline_service.create(
            db_session=db_session, ticket_in=ticket_in(reason="ambassador_introduction", ambassador_id="nobody")
        )


def test_ambassador_introduction_keeps_the_ambassador(db_session):
    factories.ambassador(db_session, id="doug-cresswell", name="Doug Cresswell")
    ticket = hotline_service.create(
        db_session=db_session, ticket_in=ticket_in(reason="ambassador_introduction", ambassador_id="doug-cresswell")
    )
    assert (ticket.reason, ticket.ambassador_id) == ("ambassador_introduction", "doug-cresswell")


@pytest.mark.parametrize(
    "overrides",
    [
        {"contact_email": "not-an-email"},
        {"contact_method": "phone", "contact_phone": "123"},
        {"contact_method": "email", "contact_email": None},
        {"contact_method": None, "contact_email": None},  # consent given but no way to contact
        {"reason": "because"},
        {"sender_id": ""},
        {"description": "x" * 2001},
    ],
)
def test_invalid_tickets_are_refused(overrides):
    with pytest.raises(ValidationError):
        ticket_in(**overrides)


def test_transitions_are_checked_and_audited(db_session):
    ticket = hotline_service.create(db_session=db_session, ticket_in=ticket_in())
    hotline_service.transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.claimed, actor="staff:1")
    hotline_service.transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.live, actor="staff:1")
    assert ticket.first_response_at is not None
    hotline_service.transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.resolved, actor="staff:1")
    assert ticket.resolved_at is not None
    with pytest.raises(hotline_service.IllegalTransition):
        hotline_service.transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.live, actor="staff:1")
    kinds = [(e.from_status, e.to_status) for e in hotline_service.events(db_session=db_session, ticket=ticket)]
    assert kinds == [(None, "waiting"), ("waiting", "claimed"), ("claimed", "live"), ("live", "resolved")]


def test_going_live_pauses_the_bot_and_leaving_resumes_it(db_session):
    from bot.chat.models import Conversation

    ticket = hotline_service.create(db_session=db_session, ticket_in=ticket_in(sender_id="live-1"))
    conversation = db_session.get(Conversation, ticket.conversation_id)
    assert conversation.bot_paused is False
    message = hotline_service.reply(
        db_session=db_session,
        ticket=ticket,
        staff_id=None,
        actor="staff:1",
        text="Hello, I'm Jo.",
        author="Jo Bloggs-Smith",
    )
    assert ticket.status == "live" and conversation.bot_paused is True
    assert message.sender == "staff" and ticket.first_response_at is not None
    hotline_service.transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.claimed, actor="staff:1")
    assert conversation.bot_paused is False
    messages = db_session.scalars(
        select(Message).where(Message.conversation_id == ticket.conversation_id).order_by(Message.id)
    ).all()
    assert [m.text for m in messages[-3:]] == [
        "You are now talking to Jo from the hotline team.",
        "Hello, I'm Jo.",
        hotline_service.BACK_TO_BOT_NOTICE,
    ]
    # The visitor sees who is talking (first name only), and when the bot has them again.
    assert [chat_service.to_read(m)["author"] for m in messages[-3:]] == ["Jo", "Jo", None]
    assert [chat_service.to_read(m)["live"] for m in messages[-3:]] == [True, None, False]
    kinds = [e.kind for e in hotline_service.events(db_session=db_session, ticket=ticket)]
    assert kinds == ["created", "status_changed", "staff_replied", "status_changed"]


def test_resolving_tells_the_visitor_with_the_reference_and_asks_one_question(db_session):
    ticket = hotline_service.create(db_session=db_session, ticket_in=ticket_in(sender_id="closing"))
    hotline_service.reply(db_session=db_session, ticket=ticket, staff_id=None, actor="staff:1", text="Hello.")
    hotline_service.transition(db_session=db_session, ticket=ticket, new_status=TicketStatus.resolved, actor="staff:1")
    last = db_session.scalars(
        select(Message).where(Message.conversation_id == ticket.conversation_id).order_by(Message.id.desc())
    ).first()
    shown = chat_service.to_read(last)
    assert last.sender == "system" and ticket.reference in last.text
    assert "handed you back" not in last.text and last.text.endswith("Did you get the help you needed?")
    assert shown["ticket_reference"] == ticket.reference and [b["title"] for b in shown["buttons"]] == ["Yes", "No"]
    rated = hotline_service.record_satisfaction(
        db_session=db_session, conversation_id=ticket.conversation_id, helped=False
    )
    assert rated is ticket
    event = hotline_service.events(db_session=db_session, ticket=ticket)[-1]
    assert (event.kind, event.actor, event.detail) == ("visitor_rated", "visitor", {"helped": False})


@pytest.mark.parametrize("typed", ["%", "_", "100%", "a_b"])
def test_search_treats_percent_and_underscore_as_themselves(db_session, typed):
    plain = hotline_service.create(db_session=db_session, ticket_in=ticket_in(sender_id="plain"))
    marked = hotline_service.create(
        db_session=db_session,
        ticket_in=ticket_in(sender_id="marked", description="Can we keep 100% of staff? See note a_b."),
    )
    found = hotline_service.list_tickets(db_session=db_session, search=typed)
    assert [t.id for t in found] == [marked.id] and plain.id not in [t.id for t in found]
