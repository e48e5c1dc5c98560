"""Unanswered questions and the dashboard: the figures, and the pages that show them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.chat.models import Conversation
from bot.console import insight, labels
from bot.database.core import utcnow
from bot.faq.models import AnswerFeedback, QuestionLog
from bot.hotline.models import Ticket, TicketEvent
from tests.bot.console.test_content_pages import Console, open_console
from tests.factories import faq_entry

WALES = "how do I set up a mutual in wales"
WALES_AGAIN = "setting up a mutual in Wales?"
PENSIONS = "what pension will staff keep after the transfer"
SCRIPT = "<script>alert(1)</script> can a parish council spin out"


@pytest.fixture
def console(database_url) -> Iterator[Console]:
    opened = open_console(database_url)
    yield opened
    opened.admin.close()
    opened.agent.close()
    opened.app.state.engine.dispose()


def ask(session, text: str, *, decision: str = "none", ago: timedelta = timedelta(hours=1), **fields) -> QuestionLog:
    log = QuestionLog(text=text, decision=decision, created_at=utcnow() - ago, **fields)
    session.add(log)
    session.flush()
    return log


def table_text(page: str) -> str:
    """The words in the page's tables, tags removed and spaces collapsed."""
    tables = " ".join(re.findall(r"<table.*?</table>", page, flags=re.S))
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", tables).split()))


# Grouping -------------------------------------------------------------------------------


def test_similar_wordings_are_grouped_and_the_biggest_group_comes_first():
    now = utcnow()
    questions = [
        insight.UnansweredQuestion(PENSIONS, now - timedelta(minutes=1), "none"),
        insight.UnansweredQuestion(WALES, now - timedelta(minutes=2), "none"),
        insight.UnansweredQuestion(WALES_AGAIN, now - timedelta(minutes=3), "suggest"),
    ]
    groups = insight.group_questions(questions=questions)
    assert [(g.count, g.examples) for g in groups] == [(2, [WALES, WALES_AGAIN]), (1, [PENSIONS])]
    assert groups[0].representative == WALES
    assert groups[0].last_asked == now - timedelta(minutes=2)
    assert groups[0].reasons == {"none": 1, "suggest": 1}


def test_questions_of_only_stopwords_are_not_lumped_together():
    now = utcnow()
    questions = [insight.UnansweredQuestion(text, now, "none") for text in ("hi", "hello there", "hi")]
    assert sorted(g.count for g in insight.group_questions(questions=questions)) == [1, 2]


def test_unanswered_questions_are_the_fallbacks_and_unsure_answers_in_the_period(db_session):
    ask(db_session, WALES)
    ask(db_session, WALES_AGAIN, decision="suggest", ago=timedelta(days=2))
    ask(db_session, PENSIONS, decision="answer", top_faq_id="tupe-pensions")  # answered, no complaint
    ask(db_session, "an old question nobody answered", ago=timedelta(days=45))
    since = utcnow() - timedelta(days=30)
    texts = {q.text: q.why for q in insight.unanswered_questions(db_session=db_session, since=since)}
    assert texts == {WALES: "none", WALES_AGAIN: "suggest"}
    groups = insight.unanswered_groups(db_session=db_session, since=since)
    assert [g.count for g in groups] == [2]
    older = insight.unanswered_questions(db_session=db_session, since=utcnow() - timedelta(days=90))
    assert "an old question nobody answered" in [q.text for q in older]


def test_a_no_to_was_this_helpful_brings_back_the_question_that_got_that_answer(db_session):
    faq_entry(db_session, id="nhs-pension", question="Can staff keep the NHS pension?")
    faq_entry(db_session, id="other-entry", question="Something else?")
    ask(
        db_session,
        "can staff keep the nhs pension",
        conversation_id="c1",
        top_faq_id="nhs-pension",
        ago=timedelta(hours=3),
        decision="answer",
    )
    # A later question in the same conversation, answered from another entry.
    ask(
        db_session,
        "what about the other thing",
        conversation_id="c1",
        top_faq_id="other-entry",
        ago=timedelta(hours=2, minutes=50),
        decision="answer",
    )
    # Asked after the feedback, so not the one the visitor was rating.
    ask(
        db_session,
        "nhs pension again",
        conversation_id="c1",
        top_faq_id="nhs-pension",
        ago=timedelta(hours=1),
        decision="answer",
    )
    ask(
        db_session,
        "a happy visitor's question",
        conversation_id="c2",
        top_faq_id="nhs-pension",
        ago=timedelta(hours=3),
        decision="answer",
    )
    db_session.add_all(
        [
            AnswerFeedback(
                conversation_id="c1", faq_id="nhs-pension", helpful=False, created_at=utcnow() - timedelta(hours=2)
            ),
            AnswerFeedback(
                conversation_id="c2", faq_id="nhs-pension", helpful=True, created_at=utcnow() - timedelta(hours=2)
            ),
        ]
    )
    db_session.flush()
    questions = insight.unanswered_questions(db_session=db_session, since=utcnow() - timedelta(days=7))
    assert [(q.text, q.why) for q in questions] == [("can staff keep the nhs pension", "not_helpful")]


# The unanswered page --------------------------------------------------------------------


def test_the_unanswered_page_groups_questions_and_escapes_what_visitors_typed(console):
    with console.app.state.session_factory.begin() as session:
        ask(session, WALES)
        ask(session, WALES_AGAIN, decision="suggest", ago=timedelta(hours=2))
        ask(session, SCRIPT)
        ask(session, "an old question nobody answered", ago=timedelta(days=45))

    page = console.agent.get("/staff/unanswered")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    rows = table_text(page.text)
    assert f"{WALES} {WALES_AGAIN}" in rows and "No answer found: 1; Not sure of the answer: 1 2" in rows
    assert rows.index(WALES) < rows.index("can a parish council spin out")
    assert "an old question nobody answered" not in rows
    assert "Write an FAQ for this" not in page.text  # agents cannot write FAQ entries

    admin_page = console.admin.get("/staff/unanswered").text
    link = f'href="/staff/faq/new?question={quote_plus(WALES)}"'
    assert "Write an FAQ for this" in admin_page and link in admin_page
    assert f'href="/staff/faq/new?question={quote_plus(SCRIPT)}"' in admin_page
    form = console.admin.get(f"/staff/faq/new?question={quote_plus(SCRIPT)}").text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; can a parish council spin out"' in form

    longer = console.agent.get("/staff/unanswered", params={"days": "90"}).text
    assert "an old question nobody answered" in longer
    assert console.agent.get("/staff/unanswered", params={"days": "nonsense"}).status_code == 200


def test_the_unanswered_page_when_there_is_nothing(console):
    page = console.agent.get("/staff/unanswered")
    assert page.status_code == 200 and "No unanswered questions in this period." in page.text


def test_insight_pages_need_sign_in(console):
    stranger = TestClient(console.app, follow_redirects=False)
    for path in ("/staff/unanswered", "/staff/dashboard"):
        response = stranger.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/login?next=")


# Dashboard ------------------------------------------------------------------------------


def add_service_history(session, now: datetime) -> None:
    """Six conversations, three handed off; a ticket from elsewhere; one long ago."""
    for n in range(1, 6):
        session.add(Conversation(id=f"c{n}", created_at=now - timedelta(minutes=n)))
    session.add(Conversation(id="c6", created_at=now - timedelta(days=3)))
    session.add(Conversation(id="c-old", created_at=now - timedelta(days=100)))
    session.flush()
    opened = now - timedelta(hours=2)
    tickets = [
        ("c1", "asked_for_person", opened, 5),
        ("c2", "asked_for_person", opened, 10),
        ("c3", "complaint", opened, 30),
        (None, "bot_could_not_answer", opened, None),
        ("c-old", "complaint", now - timedelta(days=100), 1),
    ]
    for number, (conversation_id, reason, created, wait) in enumerate(tickets, start=1):
        session.add(
            Ticket(
                reference=f"MIS-T{number}",
                conversation_id=conversation_id,
                reason=reason,
                created_at=created,
                first_response_at=created + timedelta(minutes=wait) if wait is not None else None,
            )
        )
    faq_entry(session, id="answer-a", question="A?")
    faq_entry(session, id="answer-b", question="B?")
    hour_ago = now - timedelta(hours=1)
    for conversation_id, faq_id, helpful in (
        ("c1", "answer-a", True),
        ("c2", "answer-a", True),
        ("c3", "answer-b", False),
    ):
        session.add(
            AnswerFeedback(conversation_id=conversation_id, faq_id=faq_id, helpful=helpful, created_at=hour_ago)
        )
    session.add(AnswerFeedback(conversation_id=None, faq_id="answer-b", helpful=True, created_at=hour_ago))
    # A "no" said when no answer had been given: recorded without an entry, not counted.
    session.add(AnswerFeedback(conversation_id="c4", faq_id=None, helpful=False, created_at=hour_ago))
    session.add(
        AnswerFeedback(conversation_id="c-old", faq_id="answer-a", helpful=False, created_at=now - timedelta(days=100))
    )
    session.flush()


def test_the_dashboard_figures(db_session):
    now = utcnow()
    add_service_history(db_session, now)
    since = now - timedelta(days=30)
    daily = insight.conversations_per_day(db_session=db_session, days=14, today=now.date())
    assert len(daily) == 14 and daily[-1] == (now.date(), 5)
    assert dict(daily)[(now - timedelta(days=3)).date()] == 1 and sum(count for _, count in daily) == 6
    outcomes = insight.conversation_outcomes(db_session=db_session, since=since)
    assert (outcomes.total, outcomes.handed_off, outcomes.without_handoff) == (6, 3, 3)
    assert outcomes.share_without_handoff == 0.5
    assert insight.handoffs_by_reason(db_session=db_session, since=since) == {
        "asked_for_person": 2,
        "bot_could_not_answer": 1,
        "complaint": 1,
        "ambassador_introduction": 0,
    }
    assert sorted(insight.first_response_minutes(db_session=db_session, since=since)) == [5, 10, 30]
    assert insight.median_first_response_minutes(db_session=db_session, since=since) == 10
    assert insight.feedback_counts(db_session=db_session, since=since) == insight.FeedbackCounts(
        yes=3, no=1, not_counted=1
    )
    assert insight.median_first_response_minutes(db_session=db_session, since=now) is None


def test_the_dashboard_with_no_data(console):
    page = console.agent.get("/staff/dashboard")
    assert page.status_code == 200
    assert page.text.count("No data yet") == 6
    assert "<svg" not in page.text


def test_the_dashboard_shows_charts_and_the_same_figures_in_tables(console):
    now = utcnow()
    with console.app.state.session_factory.begin() as session:
        add_service_history(session, now)
        rated = session.scalars(select(Ticket).order_by(Ticket.id)).first()
        session.add(TicketEvent(ticket_id=rated.id, kind="visitor_rated", actor="visitor", detail={"helped": True}))

    page = console.agent.get("/staff/dashboard")
    assert page.status_code == 200 and "No data yet" not in page.text
    figures = table_text(page.text)

    def uk_day(moment: datetime) -> str:
        local = moment.replace(tzinfo=timezone.utc).astimezone(labels.display_zone())
        return f"{local:%A} {labels.day(moment)}"

    assert f"{uk_day(now)} 5" in figures and f"{uk_day(now - timedelta(days=3))} 1" in figures
    assert "Without a handoff 3 Handed to the hotline 3 All conversations 6" in figures
    assert "Share resolved without a handoff 50%" in figures
    assert "Asked for a person 2" in figures and "Bot could not answer 1" in figures
    assert "Complaint 1" in figures and "Ambassador introduction 0" in figures
    assert "Median wait 10 minutes Tickets with a first response 3" in figures
    assert "Yes, it helped 3 No, it did not 1 Not counted: about no answer, or a repeat 1" in figures
    assert "Answer Tickets Yes 1 No 0" in figures  # did visitors get the help they needed
    # Each figure says what it counts and from when.
    since_text = labels.day(now - timedelta(days=30)) + " at"  # to the day: the minute may have moved on
    assert f"counts from {since_text}" in page.text
    assert page.text.count(f"from {since_text}") >= 5
    assert "Counts each conversation on the day it started (UK time)" in page.text
    assert 'href="/staff/unanswered?days=30">See the questions behind the answers that did not help' in page.text

    # Accessible charts that the page's Content-Security-Policy allows.
    svgs = re.findall(r"<svg.*?</svg>", page.text, flags=re.S)
    assert len(svgs) == 5
    for svg in svgs:
        title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
        assert 'role="img"' in svg
        assert f'<title id="{title_id}">' in svg and f'<desc id="{desc_id}">' in svg
        assert all(int(size) >= 14 for size in re.findall(r'font-size="(\d+)"', svg))
    assert " style=" not in page.text and "<style" not in page.text
    assert re.findall(r"<script[^>]*>", page.text) == ['<script type="module" src="/staff/static/console/console.js">']
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "Handoffs by reason. Asked for a person: 2; Bot could not answer: 1" in page.text

    # The period applies to everything but the daily chart: 90 days still leaves out day 100.
    longer = table_text(console.agent.get("/staff/dashboard", params={"days": "90"}).text)
    assert "Complaint 1" in longer and "All conversations 6" in longer


def test_a_no_nobody_gave_to_an_answer_is_not_counted_as_one(db_session):
    """The bug: "Was this helpful?" counted every "no" the assistant recorded. A visitor who
    says "no, that's wrong" after "I could not find an answer" is recorded with no FAQ entry,
    and a visitor who answers twice was counted twice; neither is a "No" to an answer."""
    now = utcnow()
    faq_entry(db_session, id="what-is-a-mutual", question="What is a mutual?")
    hour_ago = now - timedelta(hours=1)
    db_session.add_all(
        [
            AnswerFeedback(conversation_id="c1", faq_id="what-is-a-mutual", helpful=True, created_at=hour_ago),
            # No answer had been given: nobody said "No" to "Was this helpful?".
            AnswerFeedback(conversation_id="c1", faq_id=None, helpful=False, created_at=hour_ago),
            # The same answer rated twice: the visitor's latest word counts, once.
            AnswerFeedback(conversation_id="c2", faq_id="what-is-a-mutual", helpful=False, created_at=hour_ago),
            AnswerFeedback(
                conversation_id="c2",
                faq_id="what-is-a-mutual",
                helpful=True,
                created_at=hour_ago + timedelta(minutes=1),
            ),
        ]
    )
    db_session.flush()
    counts = insight.feedback_counts(db_session=db_session, since=now - timedelta(days=30))
    assert counts == insight.FeedbackCounts(yes=2, no=0, not_counted=2)
    assert counts.counted == 2


def test_conversations_per_day_are_counted_by_the_uk_day(db_session):
    labels.set_display_zone("Europe/London")
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST); in December UTC and UK agree.
    db_session.add(Conversation(id="summer-late", created_at=datetime(2026, 7, 1, 23, 30)))
    db_session.add(Conversation(id="summer-day", created_at=datetime(2026, 7, 1, 12, 0)))
    db_session.flush()
    daily = dict(insight.conversations_per_day(db_session=db_session, days=3, today=datetime(2026, 7, 2).date()))
    assert daily == {datetime(2026, 6, 30).date(): 0, datetime(2026, 7, 1).date(): 1, datetime(2026, 7, 2).date(): 1}


def test_each_unanswered_question_links_to_the_conversation_it_was_asked_in(console):
    from bot.chat import service as chat_service
    from bot.chat.enums import Sender

    with console.app.state.session_factory.begin() as session:
        conversation, _token = chat_service.start(db_session=session)
        chat_service.add_message(
            db_session=session, conversation=conversation, sender=Sender.user, text="<i>can bees</i> be kept"
        )
        chat_service.add_message(
            db_session=session, conversation=conversation, sender=Sender.bot, text="Sorry, I do not know."
        )
        session.add(
            QuestionLog(
                conversation_id=conversation.id,
                text="<i>can bees</i> be kept",
                decision="none",
                created_at=utcnow() - timedelta(minutes=5),
            )
        )
        session.flush()
        log_id = session.query(QuestionLog.id).scalar()
        conversation_id = conversation.id

    listing = console.agent.get("/staff/unanswered").text
    assert f'href="/staff/unanswered/{log_id}"' in listing and conversation_id not in listing
    page = console.agent.get(f"/staff/unanswered/{log_id}")
    assert page.status_code == 200
    assert "&lt;i&gt;can bees&lt;/i&gt; be kept" in page.text and "<i>can bees" not in page.text
    assert "Sorry, I do not know." in page.text and "(the question)" in page.text
    assert "Write an FAQ for this" not in page.text  # agents do not write FAQ entries
    admin_page = console.admin.get(f"/staff/unanswered/{log_id}").text
    assert 'href="/staff/faq/new?question=%3Ci%3Ecan+bees%3C%2Fi%3E+be+kept"' in admin_page
    for missing in ("999999", "abc", "²", "1" * 20):
        assert console.agent.get(f"/staff/unanswered/{missing}").status_code == 404


def test_did_visitors_get_the_help_they_needed_counts_one_answer_per_ticket(db_session):
    from bot.hotline import service as hotline_service
    from bot.hotline.enums import TicketStatus
    from bot.hotline.schemas import TicketCreate

    since = utcnow() - timedelta(days=1)
    tickets = []
    for sender in ("rated-a", "rated-b", "rated-c"):
        ticket = hotline_service.create(
            db_session=db_session, ticket_in=TicketCreate(sender_id=sender, reason="asked_for_person", consent=False)
        )
        hotline_service.transition(
            db_session=db_session, ticket=ticket, new_status=TicketStatus.resolved, actor="staff:1"
        )
        tickets.append(ticket)
    a, b, _ = tickets
    hotline_service.record_satisfaction(db_session=db_session, conversation_id=a.conversation_id, helped=False)
    hotline_service.record_satisfaction(db_session=db_session, conversation_id=a.conversation_id, helped=True)
    hotline_service.record_satisfaction(db_session=db_session, conversation_id=b.conversation_id, helped=False)
    counts = insight.satisfaction_counts(db_session=db_session, since=since)
    # The visitor's latest answer on each ticket; three resolved tickets were asked.
    assert (counts.yes, counts.no, counts.answered, counts.resolved) == (1, 1, 2, 3)
    assert insight.satisfaction_counts(db_session=db_session, since=utcnow() + timedelta(minutes=1)).answered == 0
