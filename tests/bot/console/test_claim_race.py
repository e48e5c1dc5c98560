"""Staff racing themselves and each other on the real web service (SQLite and PostgreSQL):
two agents pressing Claim at once leave one owner, one "assigned" event, and the other
agent told who has it; a reply form sent twice at once is stored once."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import select

from bot.chat.models import Message
from bot.console import auth
from bot.database.core import make_engine, make_session_factory
from bot.hotline import service as hotline_service
from bot.hotline.models import StaffAccount, Ticket, TicketEvent
from bot.hotline.schemas import TicketCreate
from tests.bot.console.helpers import PASSWORD, csrf_from
from tests.web_service import web_service

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
AGENTS = {"jo@example.gov.uk": "Jo Agent", "sam@example.gov.uk": "Sam Agent"}


def _prepare(url: str) -> str:
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        for email, name in AGENTS.items():
            auth.create_staff(db_session=session, email=email, display_name=name, password=PASSWORD, role="agent")
        ticket = hotline_service.create(
            db_session=session, ticket_in=TicketCreate(sender_id="race-1", reason="asked_for_person", consent=False)
        )
        reference = ticket.reference
    engine.dispose()
    return reference


def _signed_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/staff/login", timeout=10)
    answer = browser.post(
        f"{base}/staff/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(page.text), "next": "/staff"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text[:500]
    return browser


def test_twenty_simultaneous_claims_by_two_agents_leave_one_owner(database_url, tmp_path: Path):
    reference = _prepare(database_url)
    with web_service(database_url) as service:
        base = service.url
        agents = {email: _signed_in(base, email) for email in AGENTS}
        page = f"{base}/staff/tickets/{reference}"
        # Both agents have the page open, unclaimed, with its form's token.
        forms = {email: csrf_from(browser.get(page, timeout=10).text) for email, browser in agents.items()}

        def press(email: str) -> str:
            answer = agents[email].post(
                f"{page}/claim", data={"csrf_token": forms[email]}, allow_redirects=False, timeout=30
            )
            assert answer.status_code == 303, answer.text[:500]
            return answer.headers["location"]

        presses = [email for _ in range(10) for email in AGENTS]
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(zip(presses, pool.map(press, presses), strict=True))

        engine = make_engine(database_url)
        with make_session_factory(engine)() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
            kinds = [e.kind for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))]
            names = _accounts(session)
        engine.dispose()
        assert kinds.count("assigned") == 1 and "taken_over" not in kinds
        assert ticket.status == "claimed" and ticket.assignee_id is not None
        winner = names[ticket.assignee_id]
        loser_email = next(email for email, name in AGENTS.items() if name != winner)
        # Every press by the other agent was refused, and said why.
        lost = [location for email, location in outcomes if email == loser_email]
        assert lost and all("error=claimed" in location or "error=changed" in location for location in lost)
        shown = agents[loser_email].get(f"{page}?error=claimed", timeout=10).text
        assert f"Already claimed by {winner}" in shown and f"Take over from {winner}" in shown
        # Taking over is a separate, deliberate act, audited as such.
        taken = agents[loser_email].post(
            f"{page}/claim",
            data={"csrf_token": csrf_from(shown), "take_over": "yes"},
            allow_redirects=False,
            timeout=10,
        )
        assert taken.status_code == 303 and "error" not in taken.headers["location"]
    assert "Traceback" not in service.output, service.output[-3000:]
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        assert names[ticket.assignee_id] != winner
        assert [e.kind for e in events].count("taken_over") == 1
    engine.dispose()


def _accounts(session) -> dict[int, str]:
    return {a.id: a.display_name for a in session.scalars(select(StaffAccount))}


def test_a_reply_form_sent_twice_at_once_is_stored_once(database_url):
    reference = _prepare(database_url)
    email = next(iter(AGENTS))
    with web_service(database_url) as service:
        agent = _signed_in(service.url, email)
        page = f"{service.url}/staff/tickets/{reference}"
        form = agent.get(page, timeout=10).text
        data = {"csrf_token": csrf_from(form), "nonce": NONCE.search(form).group(1), "text": "Hello, I'm Jo."}

        def send(_):
            return agent.post(f"{page}/reply", data=data, allow_redirects=False, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = list(pool.map(send, range(4)))
        assert set(codes) == {303}
        # A fresh page has a fresh nonce: the same words sent again are a new reply.
        again = agent.get(page, timeout=10).text
        fresh = {**data, "nonce": NONCE.search(again).group(1)}
        assert agent.post(f"{page}/reply", data=fresh, allow_redirects=False, timeout=30).status_code == 303
    assert "Traceback" not in service.output, service.output[-3000:]
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
        staff_said = session.scalars(
            select(Message.text).where(Message.conversation_id == ticket.conversation_id, Message.sender == "staff")
        ).all()
        replied = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "staff_replied")
        ).all()
    engine.dispose()
    assert staff_said == ["Hello, I'm Jo.", "Hello, I'm Jo."] and len(replied) == 2
