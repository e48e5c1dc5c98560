"""A web instance killed mid-conversation: the widget, in Chromium, reconnects through the
front to the other instance and misses no message."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.chat.models import Message
from bot.database.core import make_engine, make_session_factory
from bot.hotline import service as hotline_service
from bot.hotline.schemas import TicketCreate
from tests.browser.test_widget import BOT, LAUNCHER, REPLY_TIMEOUT, STAFF, conversation_id, last_bot, send
from tests.conftest import widget_conversation

pytestmark = [pytest.mark.prod, pytest.mark.browser]

MESSAGE = ".js-app-chat-message"


def _staff_says(stack, conversation: str, text: str, ticket=None):
    engine = make_engine(stack.settings.database_url)
    with make_session_factory(engine).begin() as session:
        if ticket is None:
            ticket = hotline_service.create(
                db_session=session,
                ticket_in=TicketCreate(
                    sender_id=widget_conversation(session, conversation, key=stack.settings.rasa_token),
                    reason="asked_for_person",
                    consent=False,
                ),
            )
        else:
            ticket = hotline_service.get_by_reference_or_raise(db_session=session, reference=ticket)
        hotline_service.reply(db_session=session, ticket=ticket, staff_id=None, actor="staff:test", text=text)
        reference = ticket.reference
    engine.dispose()
    return reference


def _transcript(stack, conversation: str) -> list[str]:
    engine = make_engine(stack.settings.database_url)
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(Message).where(Message.conversation_id == conversation).order_by(Message.id))
        texts = [m.text for m in rows]
    engine.dispose()
    return texts


def test_killing_either_web_instance_loses_no_message(page: Page, prod_stack):
    stack = prod_stack
    page.goto(stack.url + "/")
    page.click(LAUNCHER)
    expect(page.locator(BOT).first).to_contain_text("Mutuals Information Service", timeout=REPLY_TIMEOUT)
    send(page, "What is a public service mutual?")
    expect(page.locator(BOT, has_text="Source:")).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(last_bot(page)).to_contain_text("Did that answer your question?", timeout=REPLY_TIMEOUT)
    conversation = conversation_id(page)

    reference = None
    for victim in ("web1", "web2"):
        stack.kill(victim)
        try:
            reference = _staff_says(stack, conversation, f"Hello from the hotline while {victim} is down.", reference)
            arrived = page.locator(STAFF, has_text=f"while {victim} is down")
            try:
                expect(arrived).to_have_count(1, timeout=30_000)
            except AssertionError as exc:
                shown = page.locator(MESSAGE).all_inner_texts()
                raise AssertionError(f"{exc}\nshown: {shown}\nconsole: {page.problems}\n{stack.logs('proxy')}") from exc
        finally:
            stack.start(victim)

    # Every stored message is on the visitor's screen, once each and in order.
    stored = _transcript(stack, conversation)
    expect(page.locator(MESSAGE)).to_have_count(len(stored), timeout=15_000)
    shown = page.locator(MESSAGE).all_inner_texts()
    for text, on_screen in zip(stored, shown, strict=True):
        assert text.split("\n")[0][:40] in on_screen
    assert page.problems == [] or all("Failed to load resource" in p or "ERR_" in p for p in page.problems)
