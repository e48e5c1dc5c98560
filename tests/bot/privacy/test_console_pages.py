"""What the staff console shows once conversations are anonymised or erased."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

from bot.chat.models import Conversation
from bot.hotline.enums import TicketStatus
from bot.privacy import service as privacy_service
from tests.bot.console.test_content_pages import Console, open_console
from tests.bot.privacy.conftest import EMAIL, PHONE, chat, handed_off


@pytest.fixture
def console(database_url) -> Iterator[Console]:
    opened = open_console(database_url)
    yield opened
    opened.admin.close()
    opened.agent.close()
    opened.app.state.engine.dispose()


def page_text(response) -> str:
    return html.unescape(" ".join(response.text.split()))


def test_a_purged_tickets_page_says_what_was_removed_and_when(console):
    with console.app.state.session_factory.begin() as session:
        reference = handed_off(session, conversation_id="purged-page", idle_days=40).reference
        handed_off(session, conversation_id="kept-page", idle_days=1)
    with console.app.state.session_factory.begin() as session:
        privacy_service.purge(db_session=session, days=30)
        purged_at = session.get(Conversation, "purged-page").purged_at

    page = console.agent.get(f"/staff/tickets/{reference}")

    assert page.status_code == 200
    text = page_text(page)
    day = f"{purged_at.day} {purged_at:%B %Y}"
    assert f"The transcript and the visitor's contact details were removed under the retention policy on {day}." in text
    assert EMAIL not in text and PHONE not in text and "Sam Jones" not in text
    assert "Removed" in text
    assert "Email: None" not in text
    # The statistics stay on the page.
    assert "Resolved" in text and "Answered" in text and "Spinning out" in text


def test_an_erased_tickets_page_says_it_was_at_the_visitors_request(console):
    with console.app.state.session_factory.begin() as session:
        ticket = handed_off(session, conversation_id="erased-page", idle_days=0, status=TicketStatus.waiting)
        reference = ticket.reference
    with console.app.state.session_factory.begin() as session:
        privacy_service.erase(db_session=session, reference=reference)

    page = console.agent.get(f"/staff/tickets/{reference}")

    text = page_text(page)
    assert "were removed at the visitor's request on" in text
    assert "Visitor's personal data erased on request" in text and "Erasure request" in text
    assert EMAIL not in text
    assert 'id="reply"' not in page.text  # nobody to reply to


def test_a_ticket_not_purged_shows_no_notice(console):
    with console.app.state.session_factory.begin() as session:
        reference = handed_off(session, conversation_id="normal-page", idle_days=0).reference
    text = page_text(console.agent.get(f"/staff/tickets/{reference}"))
    assert "retention policy" not in text and EMAIL in text


def test_unanswered_questions_and_dashboard_work_with_purged_conversations(console):
    with console.app.state.session_factory.begin() as session:
        handed_off(session, conversation_id="purged-a", idle_days=20)
        chat(session, conversation_id="purged-b", idle_days=12)
        chat(session, conversation_id="kept-c", idle_days=1)
    with console.app.state.session_factory.begin() as session:
        report = privacy_service.purge(db_session=session, days=10)
    assert report.conversations == 2

    unanswered = console.admin.get("/staff/unanswered?days=30")
    assert unanswered.status_code == 200
    text = page_text(unanswered)
    assert "talk to someone" not in text  # the purged conversations' questions are gone
    assert text.count(f"spin out? mail {EMAIL}") >= 1  # the kept one is still there

    dashboard = console.admin.get("/staff/dashboard?days=30")
    assert dashboard.status_code == 200
    # Three conversations started in the period, one handed off: purged ones still count.
    assert "2 of 3 conversations started" in page_text(dashboard)
