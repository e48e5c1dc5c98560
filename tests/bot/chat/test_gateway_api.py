"""The widget gateway: conversations, messages, the event stream and every bad input.
Rasa is a fake HTTP server here; tests/e2e and tests/browser use the real one."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from sqlalchemy import select, text

from bot.chat import rasa as rasa_channel
from bot.chat import service as chat_service
from bot.chat.enums import Sender
from bot.chat.models import Message
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketStatus
from bot.hotline.schemas import TicketCreate
from tests.bot.chat.conftest import gateway_client, start
from tests.conftest import RASA_TOKEN, widget_conversation
from tests.web_service import free_port


def rasa_requests(fake_rasa):
    return [r["json"] for r in fake_rasa.requests if r["path"] == rasa_channel.WEBHOOK]


def test_a_conversation_gets_an_unguessable_id_and_a_token(gateway):
    first = gateway.post("/chat/api/conversations")
    second = gateway.post("/chat/api/conversations").json()
    assert first.status_code == 201
    body = first.json()
    assert len(body["conversation_id"]) >= 24 and len(body["token"]) >= 40
    assert body["conversation_id"] != second["conversation_id"]
    assert body["max_message_length"] == 500 and body["hotline_number"]


def test_a_conversation_can_open_with_the_greeting_and_no_word_from_the_visitor(gateway, fake_rasa):
    body = gateway.post("/chat/api/conversations", json={"greet": True}).json()
    assert [(m["sender"], m["text"]) for m in body["messages"]] == [("bot", "Hello.")]
    assert body["messages"][0]["buttons"] == [{"title": "Find an ambassador", "payload": "/find_ambassador"}]
    sender = chat_service.rasa_sender(body["conversation_id"], RASA_TOKEN)
    assert rasa_requests(fake_rasa) == [{"sender": sender, "message": "/greet"}]
    history = gateway.get(
        f"/chat/api/conversations/{body['conversation_id']}/messages",
        headers={"Authorization": f"Bearer {body['token']}"},
    ).json()
    assert [m["sender"] for m in history["messages"]] == ["bot"]  # no "You: Hello"
    # Without it (an API client), nothing is sent to Rasa; a body that is not JSON is a 4xx.
    assert gateway.post("/chat/api/conversations").json()["messages"] == []
    assert len(rasa_requests(fake_rasa)) == 1
    assert gateway.post("/chat/api/conversations", json={"greet": "often"}).status_code == 422


def test_when_rasa_is_down_the_conversation_still_starts_and_says_so(database_url):
    with gateway_client(database_url, rasa_port=free_port()) as client:
        response = client.post("/chat/api/conversations", json={"greet": True})
    client.app.state.engine.dispose()
    assert response.status_code == 201
    assert [(m["sender"], "unavailable" in m["text"]) for m in response.json()["messages"]] == [("system", True)]


def test_a_button_from_earlier_in_the_conversation_has_expired(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    url = f"/chat/api/conversations/{conversation_id}/messages"
    fake_rasa.on("POST", rasa_channel.WEBHOOK, [{"text": "How?", "buttons": [{"title": "Email", "payload": "email"}]}])
    gateway.post(url, json={"text": "talk to a person"}, headers=auth)
    fake_rasa.on("POST", rasa_channel.WEBHOOK, [{"text": "OK, I've stopped."}])
    gateway.post(url, json={"text": "stop"}, headers=auth)
    sent = len(rasa_requests(fake_rasa))

    stale = gateway.post(url, json={"payload": "email", "title": "Email"}, headers=auth)
    assert stale.status_code == 409 and "That option has expired" in stale.json()["detail"]
    assert len(rasa_requests(fake_rasa)) == sent  # not treated as a question
    history = gateway.get(url, headers=auth).json()["messages"]
    assert [m["text"] for m in history if m["sender"] == "user"] == ["talk to a person", "stop"]

    # A button on the latest reply works; so does a command no message offered (API clients).
    fake_rasa.on("POST", rasa_channel.WEBHOOK, [{"text": "How?", "buttons": [{"title": "Email", "payload": "email"}]}])
    gateway.post(url, json={"payload": "/request_human", "title": "Talk to someone"}, headers=auth)
    assert gateway.post(url, json={"payload": "email", "title": "Email"}, headers=auth).status_code == 202


def test_the_satisfaction_check_after_a_resolved_ticket_is_recorded_not_sent_to_the_bot(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    url = f"/chat/api/conversations/{conversation_id}/messages"
    gateway.post(url, json={"text": "I'd like to talk to someone"}, headers=auth)
    session = gateway.app.state.session_factory()
    try:
        sender = chat_service.rasa_sender(conversation_id, RASA_TOKEN)
        ticket = hotline_service.create(
            db_session=session, ticket_in=TicketCreate(sender_id=sender, reason="asked_for_person", consent=False)
        )
        hotline_service.transition(db_session=session, ticket=ticket, new_status=TicketStatus.resolved, actor="staff:1")
        session.commit()
        reference = ticket.reference
    finally:
        session.close()
    closing = gateway.get(url, headers=auth).json()["messages"][-1]
    assert closing["sender"] == "system" and closing["ticket_reference"] == reference
    yes = next(b for b in closing["buttons"] if b["title"] == "Yes")
    sent = len(rasa_requests(fake_rasa))
    body = gateway.post(url, json={**yes, "client_message_id": "rate-1"}, headers=auth).json()
    assert body["message"]["text"] == "Yes" and body["replies"][0]["text"].startswith("Thank you for telling us")
    assert len(rasa_requests(fake_rasa)) == sent
    # Answered once: the same button again has expired.
    assert gateway.post(url, json=yes, headers=auth).status_code == 409


def test_a_message_is_stored_passed_to_rasa_and_answered(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    response = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages", json={"text": "  hello  "}, headers=auth
    )
    assert response.status_code == 202
    body = response.json()
    assert body["message"]["sender"] == "user" and body["message"]["text"] == "hello"
    assert [(r["sender"], r["text"]) for r in body["replies"]] == [("bot", "Hello.")]
    assert body["replies"][0]["buttons"] == [{"title": "Find an ambassador", "payload": "/find_ambassador"}]
    # Rasa knows the conversation by an HMAC of its id under RASA_TOKEN, never the public id,
    # and every turn carries the token.
    sender = chat_service.rasa_sender(conversation_id, RASA_TOKEN)
    assert sender != conversation_id and conversation_id not in sender
    assert rasa_requests(fake_rasa) == [{"sender": sender, "message": "hello"}]
    assert [r["auth"] for r in fake_rasa.requests] == [f"Bearer {RASA_TOKEN}"]

    history = gateway.get(f"/chat/api/conversations/{conversation_id}/messages", headers=auth).json()
    assert [m["sender"] for m in history["messages"]] == ["user", "bot"]
    assert history["with_staff"] is False
    later = gateway.get(
        f"/chat/api/conversations/{conversation_id}/messages?after={body['message']['id']}", headers=auth
    )
    assert [m["sender"] for m in later.json()["messages"]] == ["bot"]


def test_a_lone_surrogate_and_a_nul_are_stored_and_answered_not_a_500(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    body = '{"text": "tupe \\ud800 question \\u0000 here"}'  # valid JSON; not encodable as UTF-8
    response = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages",
        content=body,
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 202
    assert response.json()["message"]["text"] == "tupe \ufffd question  here"
    assert rasa_requests(fake_rasa)[-1]["message"] == "tupe \ufffd question  here"


def test_a_button_sends_its_payload_and_shows_its_title(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    payload = '/ask_faq{"faq_id": "what-is-a-public-service-mutual"}'
    body = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages",
        json={"payload": payload, "title": "What is a public service mutual?"},
        headers=auth,
    ).json()
    assert body["message"]["text"] == "What is a public service mutual?"
    assert rasa_requests(fake_rasa)[-1]["message"] == payload


def test_a_button_can_send_plain_words(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    body = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages", json={"payload": "email", "title": "Email"}, headers=auth
    ).json()
    assert body["message"]["text"] == "Email"
    assert rasa_requests(fake_rasa)[-1]["message"] == "email"


def test_typed_text_is_never_a_command(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    gateway.post(f"/chat/api/conversations/{conversation_id}/messages", json={"text": "/restart"}, headers=auth)
    assert rasa_requests(fake_rasa)[-1]["message"] == "restart"


def test_structured_extras_join_the_message_before_them(gateway, fake_rasa):
    fake_rasa.on(
        "POST",
        rasa_channel.WEBHOOK,
        [{"text": "Your reference is MIS-000001."}, {"custom": {"ticket_reference": "MIS-000001"}}],
    )
    conversation_id, auth = start(gateway)
    replies = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages", json={"text": "yes"}, headers=auth
    ).json()["replies"]
    assert [r["text"] for r in replies] == ["Your reference is MIS-000001."]
    assert replies[0]["ticket_reference"] == "MIS-000001"
    with gateway.app.state.session_factory() as session:
        stored = session.scalars(select(Message).where(Message.sender == "bot")).one()
        assert stored.data["custom"] == {"ticket_reference": "MIS-000001"}


def test_what_a_question_asks_for_and_an_ambassador_card_reach_the_widget_and_nothing_else(gateway, fake_rasa):
    card = {"name": "Doug Cresswell", "region": "Stockport, North West", "photo": "<img>", "role": 7}
    fake_rasa.on(
        "POST",
        rasa_channel.WEBHOOK,
        [
            {"text": "What is your email address?"},
            {"custom": {"input": "email"}},
            {"text": "Doug Cresswell"},
            {"custom": {"ambassador": card}},
            {"text": "Odd"},
            {"custom": {"input": "password"}},
        ],
    )
    conversation_id, auth = start(gateway)
    replies = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages", json={"text": "email"}, headers=auth
    ).json()["replies"]
    assert [r["input"] for r in replies] == ["email", None, None]
    assert replies[1]["card"] == {"name": "Doug Cresswell", "region": "Stockport, North West"}
    assert replies[0]["card"] is None and replies[2]["card"] is None


@pytest.mark.parametrize(
    "body, words",
    [
        ({"text": ""}, "Type a message"),
        ({"text": "   \n "}, "Type a message"),
        ({"text": "x" * 501}, "The limit is 500"),
        ({}, "either 'text'"),
        ({"text": 42}, "text"),
        ({"payload": "/rm -rf{", "title": "x"}, "not one this assistant offers"),
        ({"text": ["a", "list"]}, "text"),
    ],
)
def test_bad_messages_get_a_clear_422_and_nothing_is_stored(gateway, fake_rasa, body, words):
    conversation_id, auth = start(gateway)
    response = gateway.post(f"/chat/api/conversations/{conversation_id}/messages", json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]
    assert rasa_requests(fake_rasa) == []
    with gateway.app.state.session_factory() as session:
        assert session.scalars(select(Message)).all() == []


def test_malformed_and_oversized_bodies(gateway):
    conversation_id, auth = start(gateway)
    url = f"/chat/api/conversations/{conversation_id}/messages"
    malformed = gateway.post(url, content=b"{nope", headers={**auth, "Content-Type": "application/json"})
    assert malformed.status_code == 422 and "not valid" in malformed.json()["detail"]
    huge = gateway.post(url, content=b"x" * 300_000, headers={**auth, "Content-Type": "application/json"})
    assert huge.status_code == 413


def test_tokens_are_checked(gateway):
    conversation_id, auth = start(gateway)
    other_id, other_auth = start(gateway)
    url = f"/chat/api/conversations/{conversation_id}/messages"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}, other_auth):
        for response in (gateway.post(url, json={"text": "hi"}, headers=headers), gateway.get(url, headers=headers)):
            assert response.status_code == 401
            assert "token is missing or wrong" in response.json()["detail"]


def test_unknown_conversation_is_404(gateway):
    _, auth = start(gateway)
    response = gateway.get("/chat/api/conversations/not-a-real-id/messages", headers=auth)
    assert response.status_code == 404 and "does not exist" in response.json()["detail"]


def test_rasa_down_keeps_the_message_and_says_so_with_the_hotline(database_url):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with gateway_client(database_url, closed_port) as client:
        conversation_id, auth = start(client)
        response = client.post(
            f"/chat/api/conversations/{conversation_id}/messages", json={"text": "hello?"}, headers=auth
        )
        assert response.status_code == 202
        body = response.json()
        assert body["replies"][0]["sender"] == "system"
        assert (
            "unavailable" in body["replies"][0]["text"]
            and client.app.state.settings.hotline_number in body["replies"][0]["text"]
        )
        history = client.get(f"/chat/api/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
        assert [(m["sender"], m["text"]) for m in history][0] == ("user", "hello?")
    client.app.state.engine.dispose()


def test_rasa_answering_nothing_is_treated_as_unavailable(gateway, fake_rasa):
    fake_rasa.on("POST", rasa_channel.WEBHOOK, [])
    conversation_id, auth = start(gateway)
    replies = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=auth
    ).json()["replies"]
    assert replies[0]["sender"] == "system" and "unavailable" in replies[0]["text"]


def test_per_conversation_rate_limit(database_url, fake_rasa):
    port = int(fake_rasa.url.rsplit(":", 1)[1])
    with gateway_client(database_url, port, chat_messages_per_minute=3) as client:
        conversation_id, auth = start(client)
        url = f"/chat/api/conversations/{conversation_id}/messages"
        assert [client.post(url, json={"text": f"m{i}"}, headers=auth).status_code for i in range(3)] == [202] * 3
        limited = client.post(url, json={"text": "one more"}, headers=auth)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1 and "too quickly" in limited.json()["detail"]
        other_id, other_auth = start(client)  # another conversation is not held up
        assert (
            client.post(
                f"/chat/api/conversations/{other_id}/messages", json={"text": "hi"}, headers=other_auth
            ).status_code
            == 202
        )
    client.app.state.engine.dispose()


def test_per_address_limit_on_new_conversations(database_url, fake_rasa):
    port = int(fake_rasa.url.rsplit(":", 1)[1])
    with gateway_client(database_url, port, chat_conversations_per_hour_per_address=2) as client:
        codes = [client.post("/chat/api/conversations").status_code for _ in range(3)]
        assert codes == [201, 201, 429]
    client.app.state.engine.dispose()


def _go_live(client, conversation_id):
    with client.app.state.session_factory.begin() as session:
        ticket = hotline_service.create(
            db_session=session,
            ticket_in=TicketCreate(
                sender_id=widget_conversation(session, conversation_id), reason="asked_for_person", consent=False
            ),
        )
        hotline_service.reply(
            db_session=session,
            ticket=ticket,
            staff_id=None,
            actor="staff:1",
            text="Hello, this is Jo from the hotline.",
        )
        return ticket.id


def test_while_staff_have_the_conversation_the_bot_is_paused(gateway, fake_rasa):
    conversation_id, auth = start(gateway)
    gateway.post(f"/chat/api/conversations/{conversation_id}/messages", json={"text": "talk to a person"}, headers=auth)
    ticket_id = _go_live(gateway, conversation_id)
    before = len(rasa_requests(fake_rasa))
    response = gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages", json={"text": "thanks Jo"}, headers=auth
    )
    assert response.status_code == 202 and response.json()["replies"] == []
    assert len(rasa_requests(fake_rasa)) == before  # the bot stayed quiet
    history = gateway.get(f"/chat/api/conversations/{conversation_id}/messages", headers=auth).json()
    assert history["with_staff"] is True
    assert [m["sender"] for m in history["messages"]][-3:] == ["system", "staff", "user"]

    with gateway.app.state.session_factory.begin() as session:
        ticket = hotline_service.get(db_session=session, ticket_id=ticket_id)
        hotline_service.transition(db_session=session, ticket=ticket, new_status=TicketStatus.resolved, actor="staff:1")
    gateway.post(
        f"/chat/api/conversations/{conversation_id}/messages", json={"text": "one more question"}, headers=auth
    )
    assert len(rasa_requests(fake_rasa)) == before + 1  # handed back: the bot answers again


def read_events(client, url, headers) -> list[dict]:
    events, current = [], {}
    with client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                if "data" in current:
                    events.append(current)
                current = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                current[key] = value
    return events


def test_event_stream_delivers_messages_and_resumes_from_last_event_id(gateway):
    conversation_id, auth = start(gateway)
    url = f"/chat/api/conversations/{conversation_id}/messages"
    gateway.post(url, json={"text": "first"}, headers=auth)
    gateway.post(url, json={"text": "second"}, headers=auth)
    events_url = f"/chat/api/conversations/{conversation_id}/events"
    events = read_events(gateway, events_url, auth)
    assert [json.loads(e["data"])["text"] for e in events] == ["first", "Hello.", "second", "Hello."]
    assert all(e["event"] == "message" and int(e["id"]) == json.loads(e["data"])["id"] for e in events)

    resumed = read_events(gateway, events_url, {**auth, "Last-Event-ID": events[1]["id"]})
    assert [json.loads(e["data"])["text"] for e in resumed] == ["second", "Hello."]


def test_a_message_committed_after_a_later_one_still_reaches_the_stream(gateway):
    """Ids are given out on write but seen on commit: with two writers at once, id 8 can
    become visible after id 9 has been sent. The stream must still send it."""
    conversation_id, auth = start(gateway)
    factory = gateway.app.state.session_factory
    with factory.begin() as session:
        conversation = chat_service.get(db_session=session, conversation_id=conversation_id)
        first = chat_service.add_message(db_session=session, conversation=conversation, sender=Sender.bot, text="one")
        first_id = first.id
        session.add(Message(id=first_id + 10, conversation_id=conversation_id, sender="staff", text="committed first"))
    if gateway.app.state.engine.dialect.name == "postgresql":  # the next id past the ones written by hand
        with factory.begin() as session:
            session.execute(text("SELECT setval(pg_get_serial_sequence('message', 'id'), :n)"), {"n": first_id + 10})

    def slow_writer():  # took its id before "committed first" and commits after it was sent
        time.sleep(0.4)
        with factory.begin() as session:
            session.add(Message(id=first_id + 5, conversation_id=conversation_id, sender="bot", text="committed late"))

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        events = read_events(gateway, f"/chat/api/conversations/{conversation_id}/events", auth)
    finally:
        writer.join()
    sent = [(int(e["id"]), json.loads(e["data"])["text"]) for e in events]
    assert sent == [(first_id, "one"), (first_id + 10, "committed first"), (first_id + 5, "committed late")]

    # A stream that resumes sends only what comes after its Last-Event-ID, and nothing twice.
    resumed = read_events(
        gateway, f"/chat/api/conversations/{conversation_id}/events", {**auth, "Last-Event-ID": str(first_id + 5)}
    )
    assert [int(e["id"]) for e in resumed] == [first_id + 10]


def test_a_staff_message_reaches_the_event_stream(gateway):
    conversation_id, auth = start(gateway)
    _go_live(gateway, conversation_id)
    events = read_events(gateway, f"/chat/api/conversations/{conversation_id}/events", auth)
    data = [json.loads(e["data"]) for e in events]
    assert ("staff", "Hello, this is Jo from the hotline.") in [(d["sender"], d["text"]) for d in data]


def test_event_stream_checks_the_token_and_last_event_id(gateway):
    conversation_id, auth = start(gateway)
    url = f"/chat/api/conversations/{conversation_id}/events"
    assert gateway.get(url).status_code == 401
    # "²" is a digit to str.isdigit() but not to int(); no message id is past 2**31 - 1.
    for value in ("abc", "²".encode("latin-1"), "1" * 30):
        bad = gateway.get(url, headers={**auth, "Last-Event-ID": value})
        assert bad.status_code == 400 and "Last-Event-ID" in bad.json()["detail"]
    assert gateway.get(url, params={"after": 2**31}, headers=auth).status_code == 422


def test_ids_that_no_conversation_has_are_404_and_times_carry_their_offset(gateway):
    conversation_id, auth = start(gateway)
    for bad_id in ("not a real id", "x" * 65, "nul%00"):  # PostgreSQL refuses a NUL in a query
        response = gateway.get(f"/chat/api/conversations/{bad_id}/messages", headers=auth)
        assert response.status_code == 404 and "does not exist" in response.json()["detail"]
    sent = gateway.post(f"/chat/api/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=auth)
    assert sent.json()["message"]["created_at"].endswith("+00:00")


def test_the_page_and_widget_are_served_under_a_strict_policy(gateway):
    page = gateway.get("/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'data-module="app-chat-widget"' in page.text
    assert gateway.app.state.settings.hotline_number in page.text  # useful without JavaScript
    assert "<script>" not in page.text and "style=" not in page.text
    assert gateway.get("/widget/chat.js").status_code == 200
    assert gateway.get("/widget/chat.css").status_code == 200


def test_cors_allows_only_configured_origins(database_url, fake_rasa):
    port = int(fake_rasa.url.rsplit(":", 1)[1])
    with gateway_client(database_url, port, chat_allowed_origins="https://www.example.gov.uk") as client:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }
        allowed = client.options(
            "/chat/api/conversations", headers={"Origin": "https://www.example.gov.uk", **preflight}
        )
        assert allowed.headers.get("access-control-allow-origin") == "https://www.example.gov.uk"
        denied = client.options("/chat/api/conversations", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in denied.headers
    client.app.state.engine.dispose()


def test_reads_are_limited_per_address(database_url, fake_rasa):
    port = int(fake_rasa.url.rsplit(":", 1)[1])
    with gateway_client(database_url, port, chat_reads_per_minute_per_address=3) as client:
        conversation_id, auth = start(client)
        url = f"/chat/api/conversations/{conversation_id}/messages"
        assert [client.get(url, headers=auth).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(url, headers=auth)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    client.app.state.engine.dispose()
