"""The FAQ store and the ambassador directory, edited in the console by administrators."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.console.auth import create_staff
from bot.console.content_router import FaqForm, review_due_before
from bot.console.models import ContentEvent
from bot.content import loader
from bot.directory.models import Ambassador
from bot.faq.models import FaqEntry
from bot.main import create_app
from tests.conftest import SERVICE_TOKEN, make_settings

PASSWORD = "correct horse battery"
ADMIN_EMAIL = "ada.admin@example.gov.uk"
AGENT_EMAIL = "alex.agent@example.gov.uk"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

BEES = "Can our mutual keep bees on the roof of the town hall?"
NEW_FAQ = {
    "id": "bees-on-the-town-hall-roof",
    "question": BEES,
    "alternatives": "\n".join(
        ["may a mutual keep beehives on a council roof", "bees on the town hall roof", "honey bees on our building"]
    ),
    "answer": "First answer: ask the council's estates team, who own the town hall roof.",
    "topic": "examples",
    "source_url": "https://www.gov.uk/guidance/keeping-bees",
    "last_reviewed_day": "2",
    "last_reviewed_month": "11",
    "last_reviewed_year": "2026",
}
NEW_AMBASSADOR = {
    "id": "jo-bloggs",
    "name": "Jo Bloggs",
    "role": "Chief Executive",
    "organisation": "Bloggs Leisure Trust",
    "sectors": ["leisure-sport", "education"],
    "region": "london",
    "location": "Camden",
    "expertise": "Spinning out a leisure service\nRunning a staff-owned trust",
    "availability": "Introductions through the hotline team",
    "summary": "Jo Bloggs runs a leisure trust that left Camden council in 2014.",
    "source_url": "",
}


@dataclass
class Console:
    app: FastAPI
    admin: TestClient
    agent: TestClient
    admin_id: int
    agent_id: int


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def sign_in(app: FastAPI, email: str) -> TestClient:
    """A browser: fetch the sign-in form, post it back with its token, keep the cookies."""
    client = TestClient(app, follow_redirects=False)
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(page.text), "next": "/staff"},
    )
    assert response.status_code == 303, response.text
    return client


def open_console(database_url: str) -> Console:
    app = create_app(make_settings(database_url))
    with app.state.session_factory.begin() as session:
        loader.load(db_session=session)
        admin = create_staff(
            db_session=session, email=ADMIN_EMAIL, display_name="Ada Admin", password=PASSWORD, role="admin"
        )
        agent = create_staff(
            db_session=session, email=AGENT_EMAIL, display_name="Alex Agent", password=PASSWORD, role="agent"
        )
        admin_id, agent_id = admin.id, agent.id
    return Console(app, sign_in(app, ADMIN_EMAIL), sign_in(app, AGENT_EMAIL), admin_id, agent_id)


@pytest.fixture
def console(database_url) -> Iterator[Console]:
    opened = open_console(database_url)
    yield opened
    opened.admin.close()
    opened.agent.close()
    opened.app.state.engine.dispose()


def form_post(client: TestClient, page_path: str, action: str, data: dict):
    """Post a form the way a browser does: with the token from the page it is on."""
    token = csrf_from(client.get(page_path).text)
    return client.post(action, data={**data, "csrf_token": token})


def form_values(console: Console, faq_id: str) -> dict:
    """What the edit form of a stored entry posts when nothing is changed."""
    form = FaqForm.from_entry(get_faq(console, faq_id))
    return {
        "id": form.id,
        "question": form.question,
        "alternatives": form.alternatives,
        "answer": form.answer,
        "topic": form.topic,
        "source_url": form.source_url,
        "source_title": form.source_title,
        "also": form.other_sources,
        "last_reviewed_day": form.reviewed_day,
        "last_reviewed_month": form.reviewed_month,
        "last_reviewed_year": form.reviewed_year,
        "as_of_month": form.as_of_month,
        "as_of_year": form.as_of_year,
    }


def search(console: Console, query: str) -> dict:
    response = console.admin.post("/api/faq/search", json={"query": query}, headers=SERVICE)
    assert response.status_code == 200, response.text
    return response.json()


def events(console: Console, entity_id: str | None = None) -> list[ContentEvent]:
    with console.app.state.session_factory() as session:
        statement = select(ContentEvent).order_by(ContentEvent.id)
        if entity_id:
            statement = statement.where(ContentEvent.entity_id == entity_id)
        return list(session.scalars(statement))


def faq_count(console: Console) -> int:
    with console.app.state.session_factory() as session:
        return session.scalar(select(func.count(FaqEntry.id)))


def get_faq(console: Console, faq_id: str) -> FaqEntry | None:
    with console.app.state.session_factory() as session:
        return session.get(FaqEntry, faq_id)


def get_ambassador(console: Console, ambassador_id: str) -> Ambassador | None:
    with console.app.state.session_factory() as session:
        return session.get(Ambassador, ambassador_id)


# Who may do what ------------------------------------------------------------------------

ADMIN_PAGES = [
    "/staff/faq",
    "/staff/faq?q=tupe",
    "/staff/faq/new",
    "/staff/faq/what-is-a-public-service-mutual",
    "/staff/ambassadors",
    "/staff/ambassadors/new",
    "/staff/ambassadors/andrew-burnell",
]
ADMIN_POSTS = [
    ("/staff/faq/new", NEW_FAQ),
    ("/staff/faq/what-is-a-public-service-mutual", {**NEW_FAQ, "answer": "An agent tried to change this answer."}),
    ("/staff/faq/what-is-a-public-service-mutual/unpublish", {}),
    ("/staff/faq/what-is-a-public-service-mutual/reviewed", {}),
    ("/staff/faq/what-is-a-public-service-mutual/publish", {}),
    ("/staff/ambassadors/new", NEW_AMBASSADOR),
    ("/staff/ambassadors/andrew-burnell", {**NEW_AMBASSADOR, "name": "Someone Else"}),
    ("/staff/ambassadors/andrew-burnell/retire", {}),
    ("/staff/ambassadors/andrew-burnell/reinstate", {}),
    ("/staff/ambassadors/andrew-burnell/confirmed", {}),
]


def test_an_agent_gets_403_on_every_admin_page_and_post(console):
    before = faq_count(console)
    for path in ADMIN_PAGES:
        response = console.agent.get(path)
        assert response.status_code == 403, path
        assert "Only administrators" in response.text
    token = csrf_from(console.agent.get("/staff/unanswered").text)
    for path, data in ADMIN_POSTS:
        response = console.agent.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    assert faq_count(console) == before and get_faq(console, NEW_FAQ["id"]) is None
    entry = get_faq(console, "what-is-a-public-service-mutual")
    assert entry.published and "agent" not in entry.answer
    burnell = get_ambassador(console, "andrew-burnell")
    assert burnell.active and burnell.name == "Andrew Burnell" and burnell.confirmed_on is None
    assert get_ambassador(console, "jo-bloggs") is None
    assert events(console) == []


def test_the_admin_pages_need_sign_in(console):
    stranger = TestClient(console.app, follow_redirects=False)
    for path in ADMIN_PAGES:
        response = stranger.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/login?next=")


def test_only_admins_see_the_content_links(console):
    assert 'href="/staff/faq"' in console.admin.get("/staff").text
    page = console.agent.get("/staff").text
    assert 'href="/staff/faq"' not in page and 'href="/staff/ambassadors"' not in page


# FAQ entries ----------------------------------------------------------------------------


def test_an_admin_creates_and_edits_an_faq_entry_and_the_next_answer_uses_it(console):
    assert search(console, BEES)["decision"] != "answer"

    form = console.admin.get("/staff/faq/new", params={"question": BEES})
    assert form.status_code == 200
    assert 'value="Can our mutual keep bees on the roof of the town hall?"' in form.text
    response = console.admin.post("/staff/faq/new", data={**NEW_FAQ, "csrf_token": csrf_from(form.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/faq/bees-on-the-town-hall-roof?done=created"
    assert "The entry was created." in console.admin.get(response.headers["location"]).text

    body = search(console, BEES)
    assert body["decision"] == "answer" and body["answer"]["id"] == NEW_FAQ["id"]
    assert body["answer"]["answer"] == NEW_FAQ["answer"]

    edit = "/staff/faq/bees-on-the-town-hall-roof"
    new_answer = "Second answer: the estates team decides.\r\nBees need a beekeeper with insurance."
    response = form_post(console.admin, edit, edit, {**NEW_FAQ, "answer": new_answer})
    assert response.status_code == 303 and response.headers["location"] == f"{edit}?done=updated"
    body = search(console, BEES)
    assert body["decision"] == "answer"
    assert body["answer"]["answer"] == "Second answer: the estates team decides.\nBees need a beekeeper with insurance."

    created, updated = events(console, NEW_FAQ["id"])
    assert (created.kind, created.actor) == ("faq_created", f"staff:{console.admin_id}")
    assert "answer" in created.detail["fields"] and "question" in created.detail["fields"]
    assert (updated.kind, updated.actor, updated.detail) == (
        "faq_updated",
        f"staff:{console.admin_id}",
        {
            "fields": ["answer"],
            "before": {"answer": NEW_FAQ["answer"]},
            "after": {"answer": "Second answer: the estates team decides.\nBees need a beekeeper with insurance."},
        },
    )
    history = console.admin.get(edit).text
    assert "History" in history and "Ada Admin" in history and "Changed" in history and "Created" in history

    # Saving the form unchanged changes nothing and records nothing.
    response = form_post(console.admin, edit, edit, {**NEW_FAQ, "answer": new_answer})
    assert response.headers["location"] == f"{edit}?done=unchanged"
    assert len(events(console, NEW_FAQ["id"])) == 2


def test_entries_due_for_review_are_listed_and_a_review_is_recorded_with_who_did_it(console):
    stale = "what-is-an-asset-lock"
    with console.app.state.session_factory.begin() as session:
        session.get(FaqEntry, stale).last_reviewed = date.today() - timedelta(days=400)
    listing = console.admin.get("/staff/faq").text
    assert "1 published entry is due for review" in listing and 'href="/staff/faq?due=1"' in listing
    due = console.admin.get("/staff/faq", params={"due": "1"}).text
    assert f"/staff/faq/{stale}" in due and "1 entry due for review" in due
    assert "/staff/faq/what-is-a-public-service-mutual" not in due

    page = f"/staff/faq/{stale}"
    response = form_post(console.admin, page, f"{page}/reviewed", {})
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=reviewed"
    assert get_faq(console, stale).last_reviewed == date.today()
    (reviewed,) = events(console, stale)
    assert (reviewed.kind, reviewed.actor) == ("faq_reviewed", f"staff:{console.admin_id}")
    history = console.admin.get(page).text
    assert "Reviewed against its sources" in history and "Ada Admin" in history
    assert "No published entry is due for review." in console.admin.get("/staff/faq", params={"due": "1"}).text


def test_a_source_reported_gone_is_hidden_from_visitors_and_the_entry_is_due_until_reviewed(console):
    faq_id = "what-is-an-asset-lock"
    page = f"/staff/faq/{faq_id}"
    entry = console.admin.get(f"/api/faq/{faq_id}", headers=SERVICE).json()
    gone = entry["sources"][0]["url"]
    assert "No published entry is due for review." in console.admin.get("/staff/faq", params={"due": "1"}).text

    response = form_post(console.admin, page, f"{page}/source-gone", {"url": gone})
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=source_gone"
    shown = console.admin.get(f"/api/faq/{faq_id}", headers=SERVICE).json()["sources"]
    assert gone not in [s["url"] for s in shown] and len(shown) == len(entry["sources"]) - 1
    due = console.admin.get("/staff/faq", params={"due": "1"}).text
    assert f"/staff/faq/{faq_id}" in due and "Source gone" in due
    assert "Reported gone" in console.admin.get(page).text
    # Saving an edit keeps the report on a source still listed.
    edited = {**form_values(console, faq_id), "question": "What is an asset lock, and why does it matter?"}
    assert form_post(console.admin, page, page, edited).status_code == 303
    assert get_faq(console, faq_id).source_gone is True
    # A source the entry does not cite cannot be reported.
    response = form_post(console.admin, page, f"{page}/source-gone", {"url": "https://example.org/elsewhere"})
    assert response.status_code == 404

    form_post(console.admin, page, f"{page}/reviewed", {})
    assert get_faq(console, faq_id).source_gone is False
    assert "No published entry is due for review." in console.admin.get("/staff/faq", params={"due": "1"}).text
    assert [e.kind for e in events(console, faq_id)][::2] == ["faq_source_gone", "faq_reviewed"]


@pytest.mark.parametrize(
    ("today", "months", "due_before"),
    [
        (date(2026, 12, 5), 12, date(2025, 12, 5)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 3, date(2025, 10, 15)),
    ],
)
def test_the_review_cutoff_counts_calendar_months(today, months, due_before):
    assert review_due_before(make_settings("sqlite://", faq_review_months=months), today) == due_before


def test_unpublishing_takes_an_entry_out_of_search_and_publishing_brings_it_back(console):
    faq_id = "what-is-a-community-interest-company"
    query = "what is a community interest company"
    assert search(console, query)["answer"]["id"] == faq_id
    edit = f"/staff/faq/{faq_id}"

    response = form_post(console.admin, edit, f"{edit}/unpublish", {})
    assert response.status_code == 303 and response.headers["location"] == f"{edit}?done=unpublished"
    body = search(console, query)
    assert (body["answer"] or {}).get("id") != faq_id
    assert faq_id not in [c["id"] for c in body["candidates"]]
    assert console.admin.get(f"/api/faq/{faq_id}", headers=SERVICE).status_code == 404
    listing = console.admin.get("/staff/faq", params={"q": "community interest"}).text
    assert "Unpublished" in listing and "What is a community interest company (CIC)?" in listing

    form_post(console.admin, edit, f"{edit}/publish", {})
    assert search(console, query)["answer"]["id"] == faq_id
    kinds = [(e.kind, e.actor, e.detail) for e in events(console, faq_id)]
    actor = f"staff:{console.admin_id}"
    assert kinds == [
        ("faq_unpublished", actor, {"fields": ["published"]}),
        ("faq_published", actor, {"fields": ["published"]}),
    ]


def test_the_faq_list_searches_questions_answers_and_ids(console):
    page = console.admin.get("/staff/faq").text
    assert "What is a public service mutual?" in page and "Published" in page
    by_id = console.admin.get("/staff/faq", params={"q": "what-is-a-community-interest"}).text
    assert "What is a community interest company (CIC)?" in by_id and "What is a public service mutual?" not in by_id
    nothing = console.admin.get("/staff/faq", params={"q": "<b>zzzz%_"}).text
    assert "No entries match" in nothing and "&lt;b&gt;zzzz%_" in nothing


INVALID_FAQ = [
    ({"id": "what-is-a-public-service-mutual"}, "already exists", 'value="what-is-a-public-service-mutual"'),
    ({"id": "Bad Slug!"}, "can only contain lower-case letters", 'value="Bad Slug!"'),
    ({"id": "new"}, "reserved", 'value="new"'),
    ({"alternatives": "one way\nanother way"}, "at least 3 other ways", "one way\nanother way"),
    ({"source_url": "not a web address"}, "Enter the web address in full", 'value="not a web address"'),
    ({"answer": "   "}, "Enter the answer", BEES),
    ({"answer": "Too short."}, "at least 20 characters", "Too short."),
    ({"topic": "astrology"}, "Choose a topic", BEES),
    ({"last_reviewed_day": "31", "last_reviewed_month": "2"}, "must be a real date", 'value="31"'),
    ({"last_reviewed_year": "2999"}, "today or in the past", 'value="2999"'),
    ({"answer": "Call the team on {hotline_phone} today."}, "can only use the placeholders", "{hotline_phone}"),
    ({"also": "Bee guidance with no address"}, "its own line as its title, a |", "Bee guidance with no address"),
    ({"as_of_month": "10", "as_of_year": "2019"}, "must say when its facts date from", 'value="2019"'),
    ({"as_of_month": "13", "as_of_year": "2019"}, "a number from 1 to 12", 'value="13"'),
    ({"as_of_month": "10"}, "must include a year", 'value="10"'),
    ({"as_of_year": "2999"}, "this month or in the past", 'value="2999"'),
]


def test_an_answer_about_the_past_is_dated(console):
    dated = {**NEW_FAQ, "answer": "In 2019, the council let a mutual keep bees on the roof.", "as_of_year": "2019"}
    response = form_post(console.admin, "/staff/faq/new", "/staff/faq/new", {**dated, "as_of_month": "10"})
    assert response.status_code == 303
    assert search(console, BEES)["answer"]["as_of"] == "2019-10"
    edit = f"/staff/faq/{NEW_FAQ['id']}"
    page = console.admin.get(edit).text
    assert 'id="as_of-month" name="as_of_month" type="text" inputmode="numeric" value="10"' in page
    response = form_post(console.admin, edit, edit, dated)  # the year alone
    assert response.status_code == 303 and get_faq(console, NEW_FAQ["id"]).as_of == "2019"
    (_, updated) = events(console, NEW_FAQ["id"])
    assert updated.detail == {"fields": ["as_of"], "before": {"as_of": "2019-10"}, "after": {"as_of": "2019"}}


def test_an_answer_can_cite_several_sources_with_their_titles(console):
    sources = "British Beekeepers Association: Keeping bees | https://www.bbka.org.uk/keeping-bees"
    data = {**NEW_FAQ, "source_title": "GOV.UK: Keeping bees", "also": sources}
    form = console.admin.get("/staff/faq/new")
    response = console.admin.post("/staff/faq/new", data={**data, "csrf_token": csrf_from(form.text)})
    assert response.status_code == 303
    body = search(console, BEES)
    assert body["answer"]["sources"] == [
        {"title": "GOV.UK: Keeping bees", "url": "https://www.gov.uk/guidance/keeping-bees"},
        {"title": "British Beekeepers Association: Keeping bees", "url": "https://www.bbka.org.uk/keeping-bees"},
    ]
    page = console.admin.get(f"/staff/faq/{NEW_FAQ['id']}").text
    assert 'value="GOV.UK: Keeping bees"' in page and sources in page
    # An edit of the answer alone keeps the sources.
    edit = f"/staff/faq/{NEW_FAQ['id']}"
    response = form_post(console.admin, edit, edit, {**data, "answer": "Ask the estates team and a beekeeper first."})
    assert response.status_code == 303
    assert len(search(console, BEES)["answer"]["sources"]) == 2


def test_invalid_faq_input_is_shown_again_with_its_errors_and_nothing_is_saved(console):
    before = faq_count(console)
    for change, message, kept in INVALID_FAQ:
        response = form_post(console.admin, "/staff/faq/new", "/staff/faq/new", {**NEW_FAQ, **change})
        assert response.status_code == 400, change
        assert "There is a problem" in response.text and "govuk-error-summary" in response.text, change
        assert message in response.text, change
        assert "govuk-error-message" in response.text and kept in response.text, change
        assert response.text.startswith("<!DOCTYPE html>") and "<title>Error: " in response.text
    assert faq_count(console) == before
    assert get_faq(console, "new") is None and get_faq(console, NEW_FAQ["id"]) is None
    assert events(console) == []


def test_an_invalid_edit_changes_nothing(console):
    edit = "/staff/faq/what-is-a-public-service-mutual"
    original = get_faq(console, "what-is-a-public-service-mutual")
    response = form_post(
        console.admin, edit, edit, {**NEW_FAQ, "id": "renamed", "answer": "", "alternatives": "just one"}
    )
    assert response.status_code == 400
    assert "Enter the answer" in response.text and "at least 3 other ways" in response.text
    assert "just one" in response.text
    after = get_faq(console, "what-is-a-public-service-mutual")
    assert (after.answer, after.alternatives, after.updated_at) == (
        original.answer,
        original.alternatives,
        original.updated_at,
    )
    assert get_faq(console, "renamed") is None and events(console) == []


def test_the_id_of_an_entry_cannot_be_changed(console):
    edit = "/staff/faq/what-is-a-public-service-mutual"
    response = form_post(console.admin, edit, edit, {**NEW_FAQ, "id": "renamed"})
    assert response.status_code == 303
    assert get_faq(console, "renamed") is None
    assert get_faq(console, "what-is-a-public-service-mutual").question == BEES


def test_every_form_needs_its_csrf_token(console):
    before = faq_count(console)
    for token in (None, "forged-token"):
        data = {**NEW_FAQ} if token is None else {**NEW_FAQ, "csrf_token": token}
        assert console.admin.post("/staff/faq/new", data=data).status_code == 403
        extra = {} if token is None else {"csrf_token": token}
        for path in (
            "/staff/faq/what-is-a-public-service-mutual/unpublish",
            "/staff/ambassadors/andrew-burnell/retire",
        ):
            assert console.admin.post(path, data=extra).status_code == 403, path
        changed = {**NEW_FAQ, **extra, "answer": "A forged change to the public service mutual answer."}
        assert console.admin.post("/staff/faq/what-is-a-public-service-mutual", data=changed).status_code == 403
        assert console.admin.post("/staff/ambassadors/new", data={**NEW_AMBASSADOR, **extra}).status_code == 403
    assert faq_count(console) == before and get_faq(console, NEW_FAQ["id"]) is None
    entry = get_faq(console, "what-is-a-public-service-mutual")
    assert entry.published and "forged" not in entry.answer
    assert get_ambassador(console, "andrew-burnell").active and get_ambassador(console, "jo-bloggs") is None
    assert events(console) == []


def test_unknown_entries_are_not_found(console):
    for path in ("/staff/faq/no-such-entry", "/staff/ambassadors/nobody"):
        response = console.admin.get(path)
        assert response.status_code == 404 and "not found" in response.text
    token = csrf_from(console.admin.get("/staff/faq").text)
    assert console.admin.post("/staff/faq/no-such-entry/unpublish", data={"csrf_token": token}).status_code == 404
    assert console.admin.post("/staff/ambassadors/nobody/retire", data={"csrf_token": token}).status_code == 404


# Ambassadors ----------------------------------------------------------------------------


def test_retiring_an_ambassador_takes_them_out_of_the_directory(console):
    def matches() -> list[str]:
        response = console.admin.get("/api/ambassadors", params={"name": "Andrew Burnell"}, headers=SERVICE)
        return [m["id"] for m in response.json()["matches"]]

    assert matches() == ["andrew-burnell"]
    page = "/staff/ambassadors/andrew-burnell"
    response = form_post(console.admin, page, f"{page}/retire", {})
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=retired"
    assert matches() == []
    listing = console.admin.get("/staff/ambassadors").text
    assert "Retired" in listing and "Andrew Burnell" in listing

    form_post(console.admin, page, f"{page}/reinstate", {})
    assert matches() == ["andrew-burnell"]
    actor = f"staff:{console.admin_id}"
    assert [(e.kind, e.actor) for e in events(console, "andrew-burnell")] == [
        ("ambassador_retired", actor),
        ("ambassador_reinstated", actor),
    ]
    assert "Retired" in console.admin.get(page).text and "Ada Admin" in console.admin.get(page).text


def test_only_an_ambassador_staff_confirmed_recently_is_offered_for_introductions(console):
    def burnell() -> dict:
        response = console.admin.get("/api/ambassadors", params={"name": "Andrew Burnell"}, headers=SERVICE)
        (match,) = response.json()["matches"]
        return match

    # The content files date the details; no file can say someone still mentors.
    assert burnell()["as_of"] == "2012-10-18" and burnell()["confirmed"] is False
    listing = console.admin.get("/staff/ambassadors").text
    assert "7 active ambassadors are not confirmed as still mentoring" in listing
    page = "/staff/ambassadors/andrew-burnell"
    assert "Nobody has confirmed that Andrew Burnell still mentors" in console.admin.get(page).text

    response = form_post(console.admin, page, f"{page}/confirmed", {})
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=confirmed"
    assert burnell()["confirmed"] is True and burnell()["confirmed_on"] == date.today().isoformat()
    stored = get_ambassador(console, "andrew-burnell")
    assert (stored.confirmed_on, stored.confirmed_by) == (date.today(), "Ada Admin")
    assert [(e.kind, e.actor) for e in events(console, "andrew-burnell")] == [
        ("ambassador_confirmed", f"staff:{console.admin_id}")
    ]
    edit = console.admin.get(page).text
    assert "Ada Admin confirmed on" in edit and "Confirmed as still mentoring" in edit
    assert "6 active ambassadors are not confirmed" in console.admin.get("/staff/ambassadors").text

    # A confirmation lasts AMBASSADOR_CONFIRMATION_MONTHS.
    with console.app.state.session_factory.begin() as session:
        session.get(Ambassador, "andrew-burnell").confirmed_on = date.today() - timedelta(days=400)
    assert burnell()["confirmed"] is False
    assert "too long ago" in console.admin.get(page).text


def test_an_admin_adds_and_edits_an_ambassador(console):
    form = console.admin.get("/staff/ambassadors/new").text
    assert 'name="sectors"' in form and "Not stated" in form
    assert not re.search(r'name="(email|phone|contact[^"]*)"', form)

    response = form_post(console.admin, "/staff/ambassadors/new", "/staff/ambassadors/new", NEW_AMBASSADOR)
    assert response.status_code == 303 and response.headers["location"] == "/staff/ambassadors/jo-bloggs?done=added"
    found = console.admin.get("/api/ambassadors", params={"name": "Jo Bloggs"}, headers=SERVICE).json()["matches"]
    assert [m["id"] for m in found] == ["jo-bloggs"]
    assert found[0]["sectors"] == ["leisure-sport", "education"] and found[0]["region"] == "london"
    assert found[0]["expertise"] == ["Spinning out a leisure service", "Running a staff-owned trust"]
    assert found[0]["role"] == "Chief Executive"

    page = "/staff/ambassadors/jo-bloggs"
    edit = console.admin.get(page).text
    assert 'value="leisure-sport" checked' in edit and '<option value="london" selected>' in edit
    response = form_post(console.admin, page, page, {**NEW_AMBASSADOR, "region": "", "role": ""})
    assert response.status_code == 303
    jo = get_ambassador(console, "jo-bloggs")
    assert jo.region is None and jo.role is None and jo.active
    created, updated = events(console, "jo-bloggs")
    assert (created.kind, created.actor) == ("ambassador_created", f"staff:{console.admin_id}")
    assert (updated.kind, updated.detail) == ("ambassador_updated", {"fields": ["role", "region"]})


INVALID_AMBASSADOR = [
    ({"id": "andrew-burnell"}, "already exists"),
    ({"id": "Jo Bloggs"}, "can only contain lower-case letters"),
    ({"name": " "}, "Enter the ambassador's name"),
    ({"sectors": ["health", "space-travel"]}, "Choose sectors from the list"),
    ({"region": "atlantis"}, "Choose a region from the list"),
    ({"source_url": "ftp://example.org/jo"}, "Enter the web address in full"),
    ({"location": "x" * 121}, "Location must be 120 characters or fewer"),
]


def test_invalid_ambassador_input_is_shown_again_and_nothing_is_saved(console):
    for change, message in INVALID_AMBASSADOR:
        response = form_post(
            console.admin, "/staff/ambassadors/new", "/staff/ambassadors/new", {**NEW_AMBASSADOR, **change}
        )
        assert response.status_code == 400, change
        assert "There is a problem" in response.text and message in html.unescape(response.text), change
        assert "Bloggs Leisure Trust" in response.text, change
    assert get_ambassador(console, "jo-bloggs") is None and events(console) == []
