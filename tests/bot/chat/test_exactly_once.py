"""Races and retries against the real web service (Rasa a fake HTTP server that answers
slowly), on SQLite and PostgreSQL: a retried send is stored and answered once, the bot
never speaks after a member of staff has taken the conversation live, and replies stay
paired with the questions they answer."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from bot.chat import rasa as rasa_channel
from bot.chat import service as chat_service
from bot.chat.models import Conversation, Message
from bot.database.core import make_engine, make_session_factory
from bot.hotline import service as hotline_service
from bot.hotline.models import Ticket
from bot.hotline.schemas import TicketCreate
from tests.fakes import FakeApi
from tests.web_service import web_service

ANSWER = [{"recipient_id": "x", "text": "Here is what I found."}]


@pytest.fixture
def slow_rasa():
    rasa = FakeApi()
    rasa.on("POST", rasa_channel.WEBHOOK, ANSWER, delay=1.0)
    yield rasa
    rasa.close()


@pytest.fixture
def site(database_url, slow_rasa):
    port = slow_rasa.url.rsplit(":", 1)[1]
    with web_service(database_url, RASA_PORT=port, RASA_TIMEOUT_SECONDS="10") as service:
        yield service
    assert "Traceback" not in service.output, service.output[-3000:]


@pytest.fixture
def store(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _start(site) -> tuple[str, dict]:
    body = requests.post(f"{site.url}/chat/api/conversations", timeout=10).json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def _send(site, conversation_id: str, auth: dict, **body) -> requests.Response:
    return requests.post(
        f"{site.url}/chat/api/conversations/{conversation_id}/messages", json=body, headers=auth, timeout=30
    )


def _transcript(store, conversation_id: str) -> list[Message]:
    with store() as session:
        return list(
            session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id))
        )


def test_a_retried_send_is_stored_and_answered_once(site, slow_rasa, store):
    conversation_id, auth = _start(site)
    body = {"text": "what is a mutual", "client_message_id": "send-1"}
    # The widget timed out and sent again while the first was still with Rasa, then once more.
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: _send(site, conversation_id, auth, **body), range(3)))
    again = _send(site, conversation_id, auth, **body)
    assert {a.status_code for a in [*answers, again]} == {202}
    assert len({a.json()["message"]["id"] for a in [*answers, again]}) == 1
    assert [r["text"] for r in again.json()["replies"]] == ["Here is what I found."]
    turns = [r for r in slow_rasa.requests if r["path"] == rasa_channel.WEBHOOK]
    assert len(turns) == 1
    assert [m.sender for m in _transcript(store, conversation_id)] == ["user", "bot"]
    # A new send (a new id) with the same words is a new message.
    assert _send(site, conversation_id, auth, text="what is a mutual", client_message_id="send-2").status_code == 202
    assert [m.sender for m in _transcript(store, conversation_id)] == ["user", "bot", "user", "bot"]


def test_five_questions_at_once_keep_their_answers_paired(site, store):
    conversation_id, auth = _start(site)
    questions = [f"question {n}" for n in range(1, 6)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(
            pool.map(lambda q: _send(site, conversation_id, auth, text=q, client_message_id=q[-1]), questions)
        )
    assert all(a.status_code == 202 for a in answers)
    stored = _transcript(store, conversation_id)
    asked = {m.id: m.text for m in stored if m.sender == "user"}
    answered = [m.reply_to_id for m in stored if m.sender == "bot"]
    assert sorted(answered) == sorted(asked)  # one answer for each question, linked to it
    shown = [(m.sender, m.text) for m in chat_service.paired(stored)]
    assert [sender for sender, _ in shown] == ["user", "bot"] * 5


def test_the_bot_never_answers_after_staff_took_the_conversation_live(site, store):
    for attempt in range(3):
        conversation_id, auth = _start(site)
        assert _send(site, conversation_id, auth, text="hello").status_code == 202
        with store() as session:
            sender = session.get(Conversation, conversation_id).rasa_sender
        question = threading.Thread(target=_send, args=(site, conversation_id, auth), kwargs={"text": "are you there"})
        question.start()  # Rasa takes a second to answer it
        time.sleep(0.3 + 0.2 * attempt)
        with store.begin() as session:
            ticket = hotline_service.create(
                db_session=session,
                ticket_in=TicketCreate(sender_id=sender, reason="asked_for_person", consent=False),
            )
            hotline_service.reply(db_session=session, ticket=ticket, staff_id=None, actor="staff:1", text="Jo here.")
        question.join(timeout=30)
        after_live = _transcript(store, conversation_id)
        live = next(i for i, m in enumerate(after_live) if (m.data or {}).get("live") is True)
        assert [m.sender for m in after_live[live:]] == ["system", "staff"], [(m.sender, m.text) for m in after_live]
        assert any(m.sender == "user" and m.text == "are you there" for m in after_live)  # kept for staff
        # Once live, a visitor's message is not sent to Rasa at all.
        assert _send(site, conversation_id, auth, text="thanks Jo").json()["replies"] == []
        assert _transcript(store, conversation_id)[-1].text == "thanks Jo"


def test_a_repeated_handoff_makes_one_ticket(site, store):
    """The action retried after a timeout, twice at once: one ticket, one reference."""
    service = {"Authorization": "Bearer dev-service-token-not-for-production"}
    body = {
        "request_id": "handoff-retry-1",
        "sender_id": "rasa-sender-1",
        "reason": "asked_for_person",
        "contact_name": "Sam Jones",
        "contact_method": "email",
        "contact_email": "sam@example.org",
        "consent": True,
        "transcript": [{"sender": "user", "text": "can I talk to someone"}],
    }

    def post(_):
        return requests.post(f"{site.url}/api/tickets", json=body, headers=service, timeout=30)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(post, range(4)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["reference"] for a in answers}) == 1
    with store() as session:
        tickets = session.scalars(select(Ticket)).all()
        assert [t.request_id for t in tickets] == ["handoff-retry-1"]
        transcript = session.scalars(select(Message).where(Message.conversation_id == tickets[0].conversation_id))
        assert [m.text for m in transcript if m.sender == "user"] == ["can I talk to someone"]
    # The next run of the form is a new handoff.
    assert post(None).json()["reference"] == answers[0].json()["reference"]
    again = requests.post(
        f"{site.url}/api/tickets", json={**body, "request_id": "handoff-retry-2"}, headers=service, timeout=30
    )
    assert again.status_code == 201 and again.json()["reference"] != answers[0].json()["reference"]
