"""Whole conversations through Rasa's gateway channel, with the action server and the bot
web service behind it, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from bot.chat import service as chat_service
from bot.chat.models import Message
from bot.directory import service as directory_service
from bot.directory.models import Ambassador
from bot.faq.models import FaqEntry, QuestionLog
from bot.hotline.models import Ticket, TicketEvent
from tests.e2e.stack import texts

pytestmark = pytest.mark.e2e


def visitor() -> str:
    return f"e2e-{uuid.uuid4().hex}"


def conversation_of(store, sender: str) -> str | None:
    """The store's conversation for a Rasa sender id (these tests talk to Rasa directly)."""
    store.expire_all()
    conversation = chat_service.for_rasa_sender(db_session=store, sender_id=sender)
    return conversation.id if conversation else None


def buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in r.get("buttons", [])]


def test_greeting_offers_what_it_can_help_with(stack):
    replies = stack.say(visitor(), "hello")
    assert "Mutuals Information Service" in texts(replies)
    assert [b["title"] for b in buttons(replies)] == [
        "What is a public service mutual?",
        "Find a Mutuals Ambassador",
        "Talk to the hotline team",
    ]
    assert buttons(replies)[0]["payload"] == '/ask_faq{"faq_id": "what-is-a-public-service-mutual"}'
    # The payload's braces are not read as a slot to fill: Rasa logs no error for them.
    assert "interpolator" not in (stack.workdir / "rasa.log").read_text(errors="replace")


def test_faq_question_gets_the_stored_answer_with_its_source(stack, store):
    me = visitor()
    replies = stack.say(me, "What exactly is a community interest company?")
    entry = store.get(FaqEntry, "what-is-a-community-interest-company")
    text = texts(replies)
    assert entry.answer.strip().splitlines()[0] in text
    assert f"Source: {entry.sources[0]['title']}, {entry.source_url}" in text
    assert "Did that answer your question?" in text
    payloads = [b["payload"] for b in buttons(replies)]
    assert payloads[-2:] == ["/confirm_answer_helpful", "/report_answer_unhelpful"] and len(payloads) <= 4
    logged = store.scalars(select(QuestionLog).where(QuestionLog.conversation_id == conversation_of(store, me))).one()
    assert logged.decision == "answer"

    replies = stack.say(me, "/confirm_answer_helpful")
    assert "anything else" in texts(replies)


def test_an_answer_offers_related_questions_as_buttons(stack, store):
    replies = stack.say(visitor(), "What is an asset lock?")
    assert store.get(FaqEntry, "what-is-an-asset-lock").answer.strip()[:60] in texts(replies)
    payloads = [b["payload"] for b in buttons(replies)]
    related = payloads[:-2]
    assert payloads[-2:] == ["/confirm_answer_helpful", "/report_answer_unhelpful"]
    assert 1 <= len(related) <= 2 and all(p.startswith('/ask_faq{"faq_id": ') for p in related)
    assert "what-is-an-asset-lock" not in " ".join(related)


def test_a_did_you_mean_button_answers_by_id(stack, store):
    me = visitor()
    payload = "/ask_faq" + json.dumps({"faq_id": "lgps-admitted-body"})
    replies = stack.say(me, payload)
    assert store.get(FaqEntry, "lgps-admitted-body").answer.strip()[:60] in texts(replies)


def test_out_of_scope_is_declined_with_the_hotline(stack):
    replies = stack.say(visitor(), "which mutual fund should I put my ISA in?")
    text = texts(replies)
    assert "Source:" not in text
    assert stack.settings.hotline_number in text or "hotline" in text


def test_ambassador_search_finds_real_matches(stack, store):
    me = visitor()
    replies = stack.say(me, "Is there an ambassador for health services in Hull?")
    text = texts(replies)
    assert "Andrew Burnell" in text and "City Health" in text and "These details are from October 2012." in text
    # Nobody has confirmed he still mentors: no introduction, the hotline team instead.
    assert not [b for b in buttons(replies) if b["payload"].startswith("/request_introduction")]
    assert "has not confirmed recently that Andrew Burnell still mentors" in text
    assert [b["payload"] for b in buttons(replies)] == ["/affirm", "/deny"]
    stack.say(me, "/deny")

    # A member of staff confirms it (the console's "Confirm" button does this).
    directory_service.confirm(db_session=store, ambassador=store.get(Ambassador, "andrew-burnell"), by="Ada Admin")
    store.commit()
    replies = stack.say(me, "Is there an ambassador for health services in Hull?")
    assert any(b["title"] == "Ask for an introduction to Andrew Burnell" for b in buttons(replies))
    assert "has not confirmed" not in texts(replies)

    replies = stack.say(me, "can I find a mentor in Salford")
    assert "Scott Darraugh" in texts(replies)


def fill_form(stack, me, answers: list[str]) -> list[dict]:
    replies = []
    for answer in answers:
        replies = stack.say(me, answer)
    return replies


def test_ambassador_introduction_leaves_a_ticket(stack, store):
    me = visitor()
    replies = stack.say(me, "find me an ambassador for social care in Stockport")
    assert "has not confirmed recently that Doug Cresswell still mentors" in texts(replies)
    replies = stack.say(me, "/affirm")  # yes, the hotline team can check and introduce
    assert "not confirmed recently that Doug Cresswell still mentors: they will check" in texts(replies)
    assert "contact details are not shared here" in texts(replies)
    assert "What is your name?" in texts(replies)
    replies = fill_form(
        stack,
        me,
        ["Priya Shah", "email", "priya.shah@example.org", "We run a supported employment service", "/affirm"],
    )
    text = texts(replies)
    ticket = store.scalars(select(Ticket).where(Ticket.conversation_id == conversation_of(store, me))).one()
    assert ticket.reference in text
    assert (ticket.reason, ticket.ambassador_id, ticket.category) == (
        "ambassador_introduction",
        "doug-cresswell",
        "ambassadors",
    )
    assert (ticket.contact_name, ticket.contact_method, ticket.contact_email) == (
        "Priya Shah",
        "email",
        "priya.shah@example.org",
    )
    assert ticket.description == "We run a supported employment service"
    assert ticket.consent is True and ticket.status == "waiting"


def test_asking_for_a_person_with_an_invalid_number_then_a_valid_one(stack, store):
    me = visitor()
    replies = stack.say(me, "I'd like to talk to a real person please")
    assert "What is your name?" in texts(replies)
    stack.say(me, "Alex")
    replies = stack.say(me, "phone")
    assert "phone number" in texts(replies)
    replies = stack.say(me, "my number is 12345")
    assert "does not look like a phone number" in texts(replies)
    replies = stack.say(me, "+44 7700 900123")
    assert "what would you like help with" in texts(replies)
    replies = stack.say(me, "skip")
    assert "Can the hotline team contact you" in texts(replies)
    replies = stack.say(me, "yes")
    text = texts(replies)
    assert "MIS-" in text and "07700 900123" in text and stack.settings.hotline_number in text

    ticket = store.scalars(select(Ticket).where(Ticket.conversation_id == conversation_of(store, me))).one()
    assert (ticket.reason, ticket.contact_name, ticket.contact_phone) == ("asked_for_person", "Alex", "07700 900123")
    assert ticket.description is None and ticket.consent is True
    events = store.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    assert [e.kind for e in events] == ["created"]
    mine = Message.conversation_id == conversation_of(store, me)
    transcript = store.scalars(select(Message).where(mine).order_by(Message.id)).all()
    assert transcript[0].sender == "user" and "real person" in transcript[0].text
    assert any(m.sender == "bot" and "phone number" in m.text for m in transcript)
    assert transcript[-1].sender == "system" and ticket.reference in transcript[-1].text


def test_a_request_for_a_person_inside_a_question_starts_the_handoff_with_the_question(stack, store):
    me = visitor()
    question = (
        "Our TUPE consultation starts in three weeks and the pension side is complicated, "
        "so I'd rather go through it with an adviser."
    )
    replies = stack.say(me, question)
    assert "you will not need to type it again" in texts(replies)
    replies = fill_form(stack, me, ["Jo", "email", "jo@example.org"])
    assert "Can the hotline team contact you" in texts(replies)  # no second ask for the question
    stack.say(me, "yes")
    ticket = store.scalars(select(Ticket).where(Ticket.conversation_id == conversation_of(store, me))).one()
    assert (ticket.reason, ticket.description) == ("asked_for_person", question)


def test_a_follow_up_is_answered_against_the_previous_answer(stack, store):
    me = visitor()
    stack.say(me, "What was the Mutuals Support Programme?")
    replies = stack.say(me, "how many did it help?")
    assert store.get(FaqEntry, "mutuals-support-programme-results").answer.strip()[:60] in texts(replies)
    # A new question straight after an answer is read on its own, however it starts.
    replies = stack.say(me, "how long does spinning out take")
    assert store.get(FaqEntry, "how-long-does-it-take-to-spin-out").answer.strip()[:60] in texts(replies)


def test_a_place_outside_england_gets_nobody_and_the_hotline(stack):
    replies = stack.say(visitor(), "Is there a mutuals ambassador in Belfast?")
    assert "none is listed in Belfast" in texts(replies)
    assert not [b for b in buttons(replies) if b["payload"].startswith("/request_introduction")]


def test_stopping_the_form_sends_nothing(stack, store):
    me = visitor()
    stack.say(me, "can someone call me back")
    stack.say(me, "Sam")
    replies = stack.say(me, "stop")
    assert "Nothing has been sent" in texts(replies)
    assert store.scalars(select(Ticket).where(Ticket.conversation_id == conversation_of(store, me))).all() == []
    replies = stack.say(me, "what is TUPE?")
    assert "Source:" in texts(replies)  # the bot carries on normally after stopping


def test_no_consent_sends_nothing(stack, store):
    me = visitor()
    fill_form(
        stack, me, ["I want to speak to the hotline team", "skip", "email", "sam@example.org", "help with pensions"]
    )
    replies = stack.say(me, "no")
    assert "not passed your details" in texts(replies)
    assert store.scalars(select(Ticket).where(Ticket.conversation_id == conversation_of(store, me))).all() == []


def test_two_failures_offer_the_hotline(stack):
    me = visitor()
    stack.say(me, "What is a public service mutual?")
    stack.say(me, "/report_answer_unhelpful")
    replies = stack.say(me, "/report_answer_unhelpful")
    assert "Would you like the hotline team to get back to you?" in texts(replies)
    replies = stack.say(me, "yes please")
    assert "What is your name?" in texts(replies)


def test_bot_challenge_and_restart(stack):
    me = visitor()
    assert "computer program" in texts(stack.say(me, "am I talking to a robot?"))
    assert "start again" in texts(stack.say(me, "restart")).lower()
