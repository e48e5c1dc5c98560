"""The internal API used by the action server: auth, answers and every bad input."""

import pytest
from sqlalchemy import select

from bot.chat import service as chat_service
from bot.chat.models import Conversation
from bot.hotline.models import Ticket, TicketEvent
from tests.conftest import widget_conversation

GOOD_TICKET = {
    "sender_id": "conv-api-1",
    "reason": "asked_for_person",
    "contact_name": "Sam Jones",
    "contact_method": "phone",
    "contact_phone": "07700 900123",
    "description": "Question about TUPE",
    "consent": True,
    "transcript": [{"sender": "user", "text": "hello"}, {"sender": "bot", "text": "Hello."}],
}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/health", None),
        ("post", "/api/faq/search", {"query": "tupe"}),
        ("get", "/api/faq/what-is-a-public-service-mutual", None),
        ("get", "/api/ambassadors", None),
        ("post", "/api/tickets", GOOD_TICKET),
    ],
)
def test_every_internal_route_needs_the_service_token(api, headers, method, path, body):
    api.headers.pop("Authorization")
    response = api.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_health(api):
    assert api.get("/api/health").json() == {"status": "ok", "database": "ok"}
    assert api.get("/healthz").status_code == 200


def test_openapi_spec_is_served(api):
    spec = api.get("/api/openapi.json").json()
    assert "/api/tickets" in spec["paths"] and "/api/faq/search" in spec["paths"]


def test_faq_search_answers_with_source(api):
    body = api.post("/api/faq/search", json={"query": "what is a community interest company", "sender_id": "c1"}).json()
    assert body["decision"] == "answer"
    assert body["answer"]["id"] == "what-is-a-community-interest-company"
    assert body["answer"]["source_url"].startswith("http")
    assert body["candidates"][0]["id"] == body["answer"]["id"]


def test_faq_search_declines_out_of_scope(api):
    assert api.post("/api/faq/search", json={"query": "best mutual fund for my ISA"}).json()["decision"] != "answer"


def test_faq_get_by_id(api):
    assert api.get("/api/faq/what-is-a-public-service-mutual").json()["topic"] == "about-mutuals"


def test_ambassador_search(api):
    body = api.get("/api/ambassadors", params={"sector": "health", "region": "Hull"}).json()
    assert body["interpreted"]["region"] == "yorkshire-and-the-humber"
    assert [m["name"] for m in body["matches"]] == ["Andrew Burnell"]
    assert all("email" not in m and "phone" not in m for m in body["matches"])


def test_ticket_creation(api, database_url):
    response = api.post("/api/tickets", json=GOOD_TICKET)
    assert response.status_code == 201
    reference = response.json()["reference"]
    assert reference.startswith("MIS-")
    assert isinstance(response.json()["office_open"], bool) and response.json()["next_opening"]
    assert api.get(f"/api/tickets/{reference}").json()["status"] == "waiting"
    with api.app.state.session_factory() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
        assert ticket.contact_phone == "07700 900123"
        assert session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()


def test_a_ticket_reaches_a_widget_conversation_only_from_its_own_rasa_turn(api):
    """Knowing a visitor's conversation id is not enough to attach a ticket to it: only the
    sender id Rasa knows it by (an HMAC under RASA_TOKEN, made by the gateway) links it."""
    with api.app.state.session_factory.begin() as session:
        conversation, _ = chat_service.start(db_session=session)
        victim = conversation.id
        sender = widget_conversation(session, victim)
    forged = api.post("/api/tickets", json={**GOOD_TICKET, "sender_id": victim})
    assert forged.status_code == 201
    own = api.post("/api/tickets", json={**GOOD_TICKET, "sender_id": sender})
    assert own.status_code == 201
    with api.app.state.session_factory() as session:
        by_reference = {t.reference: t.conversation_id for t in session.scalars(select(Ticket)).all()}
        assert by_reference[own.json()["reference"]] == victim
        forged_conversation = session.get(Conversation, by_reference[forged.json()["reference"]])
        assert forged_conversation.id != victim and forged_conversation.channel == "rest"
        # The visitor's conversation holds its own ticket only, and the forged transcript
        # went to a conversation of its own.
        assert [t.reference for t in session.scalars(select(Ticket).where(Ticket.conversation_id == victim))] == [
            own.json()["reference"]
        ]


JSON = {"headers": {"Content-Type": "application/json"}}


@pytest.mark.parametrize(
    "method, path, kwargs, status, words",
    [
        ("post", "/api/faq/search", {"json": {"query": ""}}, 422, "query"),
        ("post", "/api/faq/search", {"json": {"query": "   "}}, 422, "query"),
        ("post", "/api/faq/search", {"json": {"query": "x" * 501}}, 422, "query"),
        ("post", "/api/faq/search", {"json": {"query": 42, "limit": "many"}}, 422, "limit"),
        ("post", "/api/faq/search", {"json": {}}, 422, "query"),
        (
            "post",
            "/api/faq/search",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            422,
            "not valid",
        ),
        ("post", "/api/faq/search", {"json": {"query": "a" * 300_000}}, 413, "larger"),
        ("get", "/api/faq/no-such-entry", {}, 404, "no-such-entry"),
        ("get", "/api/ambassadors/nobody", {}, 404, "nobody"),
        ("get", "/api/ambassadors", {"params": {"region": "x" * 101}}, 422, "region"),
        ("get", "/api/tickets/MIS-999999", {}, 404, "MIS-999999"),
        ("post", "/api/faq/feedback", {"json": {"faq_id": "no-such-entry", "helpful": True}}, 404, "no-such-entry"),
        ("post", "/api/faq/feedback", {"json": {"helpful": "perhaps"}}, 422, "helpful"),
        ("post", "/api/tickets", {"json": {**GOOD_TICKET, "contact_phone": "12"}}, 422, "phone"),
        ("post", "/api/tickets", {"json": {**GOOD_TICKET, "reason": "boredom"}}, 422, "reason"),
        ("post", "/api/tickets", {"json": {**GOOD_TICKET, "consent": "maybe"}}, 422, "consent"),
        (
            "post",
            "/api/tickets",
            {"json": {**GOOD_TICKET, "transcript": [{"sender": "hacker", "text": "x"}]}},
            422,
            "sender",
        ),
        ("post", "/api/tickets", {"json": {**GOOD_TICKET, "ambassador_id": "nobody"}}, 422, "nobody"),
        ("post", "/api/tickets", {"json": {**GOOD_TICKET, "sender_id": "../../etc"}}, 422, "sender_id"),
        ("post", "/api/tickets", {"json": [1, 2, 3]}, 422, "not valid"),
        # Characters that are not text: a lone surrogate (valid JSON, unencodable), NUL, BEL.
        ("post", "/api/faq/search", {"content": b'{"query": "what is \\ud800 TUPE"}', **JSON}, 422, "not text"),
        ("post", "/api/tickets", {"json": {**GOOD_TICKET, "contact_name": "Sam\u0000 Jones"}}, 422, "not text"),
        ("post", "/api/tickets", {"json": {**GOOD_TICKET, "description": "ring \u0007 me"}}, 422, "not text"),
        (
            "post",
            "/api/tickets",
            {"json": {**GOOD_TICKET, "transcript": [{"sender": "user", "text": "hi", "data": {"x": "\u0000"}}]}},
            422,
            "not text",
        ),
        ("post", "/api/faq/feedback", {"json": {"helpful": True, "sender_id": "c\u0000"}}, 422, "not text"),
    ],
)
def test_bad_input_gets_a_clear_4xx(api, method, path, kwargs, status, words):
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


def test_nothing_is_stored_when_a_ticket_is_refused(api):
    api.post("/api/tickets", json={**GOOD_TICKET, "contact_phone": "12"})
    with api.app.state.session_factory() as session:
        assert session.scalars(select(Ticket)).all() == []


def test_store_down_gives_503_not_500(api):
    api.app.state.engine.dispose()
    from bot.database.core import make_engine, make_session_factory

    broken = make_engine("postgresql://nobody@127.0.0.1:1/none")
    api.app.state.session_factory = make_session_factory(broken)
    response = api.post("/api/faq/search", json={"query": "tupe"})
    assert response.status_code == 503
    assert "unavailable" in response.json()["detail"]
