"""Faults in the production profile: each test breaks one part, checks that visitors and
the hotline team lose nothing and are told plainly, then puts the part back and checks
that service recovers without a restart of anything else."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, select, text

from bot.chat import service as chat_service
from bot.chat.models import Message
from bot.hotline.models import Ticket
from tests.prod.stack import Visitor

pytestmark = pytest.mark.prod

# Questions and words their stored answers contain (data/content/faq.yml).
QUESTIONS = [
    ("What is a public service mutual?", "public service mutual"),
    ("how long does spinning out take", "18 months"),
    ("can my staff keep their NHS pension", "pension"),
    ("what is TUPE?", "TUPE"),
    ("What exactly is a community interest company?", "community interest compan"),
]


def unavailable(text_: str, stack) -> bool:
    return stack.settings.hotline_number in text_


def test_one_rasa_server_down_then_both_then_back(prod_stack):
    stack = prod_stack
    me = Visitor(stack.url)
    assert "public service mutual" in me.say("What is a public service mutual?").lower()

    stack.kill("rasa1")
    try:
        # Round robin skips the server that refuses: every message is answered.
        for question, expected in QUESTIONS[1:4]:
            assert expected.lower() in me.say(question).lower()

        stack.kill("rasa2")
        response = me.send("can my staff keep their NHS pension")
        assert response.status_code == 202
        replies = response.json()["replies"]
        assert [r["sender"] for r in replies] == ["system"]
        assert "unavailable" in replies[0]["text"] and unavailable(replies[0]["text"], stack)
        kept = [m["text"] for m in me.transcript() if m["sender"] == "user"]
        assert kept[-1] == "can my staff keep their NHS pension"

    finally:
        # Both come back at once (loading a model is mostly one core's work).
        missing = [name for name in ("rasa1", "rasa2") if stack.processes[name].poll() is not None]
        if missing:
            stack.start(*missing)
    # The same conversation carries on, its tracker in PostgreSQL, on either server.
    assert "tupe" in me.say("what is TUPE?").lower()
    assert "pension" in me.say("can my staff keep their NHS pension").lower()


@pytest.mark.parametrize("fault", ["refused", "hung"])
def test_action_servers_refused_or_hung_give_the_hotline_within_3_seconds(prod_stack, fault):
    stack = prod_stack
    me = Visitor(stack.url)
    assert "public service mutual" in me.say("What is a public service mutual?").lower()
    names = ("actions1", "actions2")
    for name in names:
        stack.kill(name) if fault == "refused" else stack.pause(name)
    try:
        started = time.monotonic()
        response = me.send("how long does spinning out take", timeout=10)
        elapsed = time.monotonic() - started
        assert response.status_code == 202, response.text
        reply = "\n".join(r["text"] for r in response.json()["replies"])
        assert unavailable(reply, stack), reply
        assert elapsed < 3.0, f"the visitor waited {elapsed:.1f} s"
        transcript = me.transcript()
        assert transcript[-2]["text"] == "how long does spinning out take"
        assert unavailable(transcript[-1]["text"], stack)
    finally:
        for name in names:
            if fault == "refused":
                stack.start(name)
            else:
                stack.resume(name)
        stack.wait_ready(*names)
    assert "18 months" in me.say("how long does spinning out take")


def _to_consent_question(me: Visitor) -> None:
    assert "What is your name?" in me.say("I'd like to talk to a real person please")
    me.say("Alex")
    assert "phone number" in me.say("phone")
    me.say("+44 7700 900123")
    assert "Can the hotline team contact you" in me.say("skip")


def test_postgresql_down_refuses_clearly_and_loses_no_handoff(prod_stack, postgres_server, store):
    stack = prod_stack
    me = Visitor(stack.url)
    _to_consent_question(me)

    postgres_server.stop("fast")
    try:
        refused = me.send("yes")
        assert refused.status_code == 503
        assert "try again" in refused.json()["detail"].lower()
        assert requests.post(f"{stack.url}/chat/api/conversations", timeout=10).status_code == 503
        assert "Something went wrong" not in refused.text
    finally:
        postgres_server.start()

    # No restart: the same processes answer once the database is back. The visitor resends
    # their answer; a reply that says the assistant is unavailable is honest, not a loss.
    deadline = time.monotonic() + 60
    reply = ""
    while time.monotonic() < deadline and "MIS-" not in reply:
        response = me.send("yes")
        if response.status_code == 202:
            reply = "\n".join(r["text"] for r in response.json()["replies"])
            if "MIS-" not in reply:
                assert unavailable(reply, stack), reply
        time.sleep(1)
    assert "MIS-" in reply
    tickets = store.scalars(select(Ticket).where(Ticket.conversation_id == me.conversation_id)).all()
    assert len(tickets) == 1 and tickets[0].reference in reply
    assert (tickets[0].contact_phone, tickets[0].consent, tickets[0].status) == ("07700 900123", True, "waiting")


def test_redis_down_is_a_clear_error_then_ten_rapid_messages_are_answered_in_order(prod_stack, redis_server):
    stack = prod_stack
    me = Visitor(stack.url)
    assert "public service mutual" in me.say("What is a public service mutual?").lower()

    redis_server.stop()
    try:
        response = me.send("what is TUPE?")
        assert response.status_code == 202
        reply = "\n".join(r["text"] for r in response.json()["replies"])
        assert "unavailable" in reply and unavailable(reply, stack)
        assert me.transcript()[-2]["text"] == "what is TUPE?"
    finally:
        redis_server.start()

    assert "tupe" in me.say("what is TUPE?").lower()

    # Ten messages at once from one visitor, spread over both web instances and both Rasa
    # servers: the lock store makes Rasa handle them one at a time.
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda q: me.send(q[0], timeout=60), questions))
    for (question, expected), response in zip(questions, responses, strict=True):
        assert response.status_code == 202, response.text
        replies = "\n".join(r["text"] for r in response.json()["replies"])
        assert expected.lower() in replies.lower(), (question, replies)

    # In Rasa's tracker every message's answer comes before the next message is read.
    engine = create_engine(stack.settings.tracker_database_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, data FROM events WHERE sender_id = :id ORDER BY id"),
            {"id": chat_service.rasa_sender(me.conversation_id, stack.settings.rasa_token)},
        ).all()
    engine.dispose()
    import json

    turns: list[list[str]] = []
    for type_name, data in rows:
        event = json.loads(data)
        if type_name == "user":
            turns.append([event.get("text") or "", ""])
        elif type_name == "bot" and turns:
            turns[-1][1] += (event.get("text") or "") + "\n"
    answers = {question: expected for question, expected in QUESTIONS}
    last_ten = turns[-10:]
    assert len(last_ten) == 10
    for asked, said in last_ten:
        assert answers[asked].lower() in said.lower(), (asked, said)


def test_restart_of_everything_keeps_conversations_tickets_and_transcripts(prod_stack, postgres_server, store):
    stack = prod_stack
    me = Visitor(stack.url)
    _to_consent_question(me)
    reference = me.say("yes").split("MIS-")[1][:6]
    before = me.transcript()

    stack.stop()
    postgres_server.stop("fast")
    postgres_server.start()
    stack.start()

    assert me.transcript() == before
    ticket = store.scalars(select(Ticket).where(Ticket.reference == f"MIS-{reference}")).one()
    assert ticket.conversation_id == me.conversation_id and ticket.contact_name == "Alex"
    stored = store.scalars(select(Message).where(Message.conversation_id == me.conversation_id)).all()
    assert len(stored) == len(before)
    # Rasa remembers the conversation too: the form is over, so a question gets an answer.
    assert "tupe" in me.say("what is TUPE?").lower()
