"""Retention and erasure on both backends: what goes, what stays, and Rasa's tracker store."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.chat import service as chat_service
from bot.chat.models import Conversation, Message
from bot.database.core import utcnow
from bot.faq.models import AnswerFeedback, QuestionLog
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketStatus
from bot.hotline.models import Ticket, TicketEvent, TicketNote
from bot.hotline.schemas import TicketCreate
from bot.privacy import service as privacy_service
from tests.bot.privacy.conftest import (
    EMAIL,
    PHONE,
    chat,
    create_tracker_events,
    handed_off,
    tracker_senders,
)
from tests.conftest import RASA_TOKEN

DAYS = 365


def snapshot(db_session, conversation_id: str) -> dict:
    """Everything stored about one conversation, comparable before and after."""
    db_session.expire_all()
    conversation = db_session.get(Conversation, conversation_id)
    tickets = db_session.scalars(select(Ticket).where(Ticket.conversation_id == conversation_id)).all()
    ticket_ids = [t.id for t in tickets]
    return {
        "conversation": {
            c: getattr(conversation, c)
            for c in ("created_at", "last_activity_at", "purged_at", "token_hash", "channel")
        },
        "messages": db_session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id).order_by(Message.id)
        ).all(),
        "tickets": [
            {c.name: getattr(t, c.name) for c in Ticket.__table__.columns} for t in sorted(tickets, key=lambda t: t.id)
        ],
        "notes": db_session.scalars(select(TicketNote.text).where(TicketNote.ticket_id.in_(ticket_ids))).all(),
        "events": [
            (e.kind, e.actor, e.from_status, e.to_status, e.detail, e.created_at)
            for e in db_session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids)).order_by(TicketEvent.id)
            )
        ],
        "questions": db_session.scalars(
            select(QuestionLog.text).where(QuestionLog.conversation_id == conversation_id).order_by(QuestionLog.id)
        ).all(),
    }


def contains_personal_data(value) -> bool:
    text = json.dumps(value, default=str)
    return any(fragment in text for fragment in (EMAIL, PHONE, "Sam Jones", "library"))


@pytest.fixture
def three_visits(db_session):
    """An old resolved handoff, a recent resolved one, an old one still open, and an old
    plain chat."""
    old = handed_off(db_session, conversation_id="old-resolved", idle_days=400)
    recent = handed_off(db_session, conversation_id="recent-resolved", idle_days=30)
    still_open = handed_off(db_session, conversation_id="old-open", idle_days=500, status=TicketStatus.waiting)
    chat(db_session, conversation_id="old-chat", idle_days=366)
    db_session.commit()
    return old.reference, recent.reference, still_open.reference


def test_an_old_resolved_conversation_is_anonymised_and_its_statistics_kept(db_session, three_visits, tracker_url):
    before = snapshot(db_session, "old-resolved")
    assert contains_personal_data(before)

    report = privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)
    db_session.commit()

    after = snapshot(db_session, "old-resolved")
    assert not contains_personal_data(after)
    assert after["messages"] == []
    assert set(after["notes"]) == {""}
    assert set(after["questions"]) == {""}
    assert after["conversation"]["purged_at"] is not None
    assert after["conversation"]["token_hash"] is None
    for key in ("created_at", "last_activity_at", "channel"):
        assert after["conversation"][key] == before["conversation"][key]

    [ticket_before], [ticket_after] = before["tickets"], after["tickets"]
    removed = {"contact_name", "contact_email", "contact_phone", "description"}
    assert {key: ticket_after[key] for key in removed} == dict.fromkeys(removed)
    # Everything else, times included, is as it was.
    assert {k: v for k, v in ticket_after.items() if k not in removed} == {
        k: v for k, v in ticket_before.items() if k not in removed
    }
    assert ticket_after["status"] == "resolved" and ticket_after["outcome"] == "answered"

    # The audit trail keeps every entry, with only what the service wrote itself.
    assert [e[:4] + (e[5],) for e in after["events"]] == [e[:4] + (e[5],) for e in before["events"]]
    details = {kind: detail for kind, _, _, _, detail, _ in after["events"]}
    assert details["created"] == {"reason": "asked_for_person", "category": "Spinning out"}
    assert details["contact_updated"] is None
    assert "outcome" in json.dumps([e[4] for e in after["events"]])

    # The plain chat too; "Was this helpful?" answers stay whole.
    assert snapshot(db_session, "old-chat")["messages"] == []
    assert db_session.scalar(select(AnswerFeedback).where(AnswerFeedback.conversation_id == "old-chat")) is not None

    assert report.conversations == 2
    assert report.messages == len(before["messages"]) + 2
    assert (report.tickets, report.notes, report.ticket_events, report.questions) == (1, 1, 1, 2)


def test_recent_conversations_and_open_tickets_are_untouched(db_session, three_visits, tracker_url):
    _, recent, still_open = three_visits
    before = {cid: snapshot(db_session, cid) for cid in ("recent-resolved", "old-open")}

    privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)
    db_session.commit()

    for cid, state in before.items():
        assert snapshot(db_session, cid) == state
        assert contains_personal_data(state)


def test_a_dry_run_counts_and_changes_nothing(db_session, three_visits, tracker_url):
    create_tracker_events(tracker_url, {"old-resolved": 3, "recent-resolved": 2})
    before = {cid: snapshot(db_session, cid) for cid in ("old-resolved", "old-chat", "recent-resolved")}

    dry = privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url, dry_run=True)
    db_session.commit()

    assert {cid: snapshot(db_session, cid) for cid in before} == before
    assert tracker_senders(tracker_url) == {"old-resolved": 3, "recent-resolved": 2}
    assert dry.dry_run and dry.summary().startswith("Would anonymise 2 conversation(s)")

    real = privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)
    assert (dry.conversations, dry.messages, dry.tickets, dry.notes, dry.ticket_events, dry.questions) == (
        real.conversations,
        real.messages,
        real.tickets,
        real.notes,
        real.ticket_events,
        real.questions,
    )
    assert dry.tracker_events == real.tracker_events == 3


def test_a_second_run_does_nothing(db_session, three_visits, tracker_url):
    privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)
    db_session.commit()
    after_first = {cid: snapshot(db_session, cid) for cid in ("old-resolved", "old-chat")}

    again = privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)
    db_session.commit()

    assert again == privacy_service.PurgeReport()
    assert {cid: snapshot(db_session, cid) for cid in after_first} == after_first


def test_a_conversation_active_again_after_anonymising_is_anonymised_again_in_time(db_session, three_visits):
    privacy_service.purge(db_session=db_session, days=DAYS)
    conversation = db_session.get(Conversation, "old-chat")
    # Later it is used again (say through the internal API), then left for another year.
    conversation.last_activity_at = conversation.purged_at + timedelta(minutes=1)
    db_session.add(Message(conversation_id="old-chat", sender="user", text=f"me again, {EMAIL}"))
    db_session.commit()
    later = utcnow() + timedelta(days=DAYS + 1)

    report = privacy_service.purge(db_session=db_session, days=DAYS, now=later)

    # old-chat again, and recent-resolved, by then old too; old-resolved stays as it is.
    assert report.conversations == 2
    assert snapshot(db_session, "old-chat")["messages"] == []


def test_the_conversations_tracker_events_are_deleted(db_session, three_visits, tracker_url):
    create_tracker_events(tracker_url, {"old-resolved": 4, "old-chat": 2, "recent-resolved": 3, "old-open": 1})

    report = privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)
    db_session.commit()

    assert report.tracker_events == 6
    assert tracker_senders(tracker_url) == {"recent-resolved": 3, "old-open": 1}


def test_no_tracker_table_yet_is_skipped_quietly(db_session, three_visits, tracker_url, tmp_path):
    report = privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)
    assert report.conversations == 2 and report.tracker_events == 0

    missing = tmp_path / "no-such-tracker.db"
    assert privacy_service.delete_tracker_events(tracker_url=f"sqlite:///{missing}", sender_ids=["x"]) == 0
    assert not missing.exists()


def test_rasas_own_sql_tracker_store_is_emptied_of_the_conversation(db_session, three_visits, tracker_url):
    """Against the table Rasa 3.6 creates itself, through its own SQLTrackerStore."""
    import asyncio

    from sqlalchemy.engine import make_url

    tracker_store = pytest.importorskip("rasa.core.tracker_store")
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    url = make_url(tracker_url)
    store = tracker_store.SQLTrackerStore(
        dialect=url.get_backend_name(), host=url.host, port=url.port, db=url.database, username=url.username
    )
    for sender_id in ("old-resolved", "recent-resolved"):
        tracker = DialogueStateTracker.from_events(
            sender_id, [ActionExecuted("action_listen"), UserUttered(f"my email is {EMAIL}")]
        )
        asyncio.run(store.save(tracker))

    report = privacy_service.purge(db_session=db_session, days=DAYS, tracker_url=tracker_url)

    assert report.tracker_events >= 2
    assert asyncio.run(store.retrieve("old-resolved")) is None
    kept = asyncio.run(store.retrieve("recent-resolved"))
    assert kept is not None and kept.latest_message.text == f"my email is {EMAIL}"


def test_erasure_removes_one_visitors_data_whatever_its_age_and_records_it(db_session, tracker_url):
    ticket = handed_off(db_session, conversation_id="erase-me", idle_days=2, status=TicketStatus.waiting)
    other = hotline_service.create(
        db_session=db_session,
        ticket_in=TicketCreate(
            sender_id=chat_service.rasa_sender("erase-me", RASA_TOKEN),
            reason="complaint",
            contact_name="Sam Jones",
            consent=False,
        ),
    )
    handed_off(db_session, conversation_id="someone-else", idle_days=2)
    db_session.commit()
    # Rasa holds a conversation's events under the gateway's HMAC sender id (and, for one
    # from before it, under the id itself): both go.
    create_tracker_events(
        tracker_url,
        {"erase-me": 5, chat_service.rasa_sender("erase-me", RASA_TOKEN): 6, "someone-else": 2},
    )
    untouched = snapshot(db_session, "someone-else")

    report = privacy_service.erase(db_session=db_session, reference=ticket.reference.lower(), tracker_url=tracker_url)
    db_session.commit()

    after = snapshot(db_session, "erase-me")
    assert not contains_personal_data(after)
    assert after["messages"] == [] and after["conversation"]["purged_at"] is not None
    assert [t["status"] for t in after["tickets"]] == ["waiting", "waiting"]  # left for the team to resolve
    assert (report.conversations, report.tickets, report.tracker_events) == (1, 2, 11)
    for erased in (ticket, other):
        [event] = [e for e in hotline_service.events(db_session=db_session, ticket=erased) if e.kind == "erased"]
        assert event.actor == "erasure request"
        assert event.detail == {"messages": report.messages, "tickets": 2, "tracker_events": 11}
    assert snapshot(db_session, "someone-else") == untouched
    assert tracker_senders(tracker_url) == {"someone-else": 2}

    # Retention leaves the erased conversation alone from now on.
    nine_days_on = utcnow() + timedelta(days=9)
    later = privacy_service.purge(db_session=db_session, days=1, tracker_url=tracker_url, now=nine_days_on)
    assert later.conversations == 1  # someone-else, now old enough


def test_erasure_with_another_actor(db_session):
    ticket = handed_off(db_session, conversation_id="erase-actor", idle_days=0)
    privacy_service.erase(db_session=db_session, reference=ticket.reference, actor="staff:7")
    [event] = [e for e in hotline_service.events(db_session=db_session, ticket=ticket) if e.kind == "erased"]
    assert event.actor == "staff:7"


def test_erasure_of_an_unknown_reference_raises(db_session):
    with pytest.raises(hotline_service.TicketNotFound):
        privacy_service.erase(db_session=db_session, reference="MIS-999999")


@pytest.mark.parametrize(
    ("kind", "detail", "kept"),
    [
        ("created", {"reason": "complaint", "category": "x", "note": EMAIL}, {"reason": "complaint", "category": "x"}),
        ("status_changed", {"outcome": "answered"}, {"outcome": "answered"}),
        ("assigned", {"from": None, "to": 3}, {"from": None, "to": 3}),
        ("visitor_rated", {"helped": False, "said": EMAIL}, {"helped": False}),
        ("contact_updated", {"from": EMAIL, "to": PHONE}, None),
        ("something_new", {"text": EMAIL}, None),
        ("note_added", None, None),
    ],
)
def test_audit_details_keep_only_what_the_service_wrote(kind, detail, kept):
    assert privacy_service.scrub_detail(kind, detail) == kept
