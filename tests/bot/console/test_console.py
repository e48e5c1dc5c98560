"""The console: sign-in, sessions, CSRF, the queue and a ticket's whole life."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.chat import service as chat_service
from bot.console import auth
from bot.console.models import StaffSession
from bot.database.core import utcnow
from bot.hotline import service as hotline_service
from bot.hotline.models import Ticket, TicketEvent
from tests.bot.console.helpers import console_client, csrf_from, service_headers, sign_in


@pytest.fixture
def console(database_url):
    with console_client(database_url) as client:
        yield client
    client.app.state.engine.dispose()


def handoff(client, sender_id="conv-console-1", **fields) -> str:
    body = {
        "sender_id": sender_id,
        "reason": "asked_for_person",
        "contact_name": "Sam Visitor",
        "contact_method": "email",
        "contact_email": "sam.visitor@example.org",
        "description": "Help with our library spin-out",
        "consent": True,
        "transcript": [{"sender": "user", "text": "<script>alert(1)</script> can I talk to someone"}],
        **fields,
    }
    response = client.post("/api/tickets", json=body, headers=service_headers())
    assert response.status_code == 201, response.text
    return response.json()["reference"]


@pytest.mark.parametrize("path", ["/staff", "/staff/tickets/MIS-000001", "/staff/tickets/MIS-000001/messages.json"])
def test_every_page_needs_sign_in(console, path):
    response = console.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login?next=")


def test_posts_without_a_session_change_nothing(console):
    reference = handoff(console)
    response = console.post(f"/staff/tickets/{reference}/claim", data={"csrf_token": "x"})
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/login")
    with console.app.state.session_factory() as session:
        assert session.scalars(select(Ticket.status)).one() == "waiting"


def test_sign_in_sets_a_safe_cookie_and_a_new_session_each_time(console):
    response = sign_in(console, "agent@example.gov.uk")
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"]
    assert "mis_staff=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
    first = console.cookies.get("mis_staff")
    sign_in(console, "agent@example.gov.uk")
    assert console.cookies.get("mis_staff") != first  # regenerated at sign-in
    assert console.get("/staff").status_code == 200


def test_wrong_password_and_unknown_email_say_the_same(console):
    for email, password in (("agent@example.gov.uk", "wrong password!!"), ("nobody@example.gov.uk", "whatever12345")):
        response = sign_in(console, email, password)
        assert response.status_code == 401
        assert "email address or password is not right" in response.text


def test_sign_in_form_needs_its_csrf_token(console):
    console.get("/staff/login")
    response = console.post(
        "/staff/login",
        data={"email": "agent@example.gov.uk", "password": "correct horse battery", "csrf_token": "forged"},
    )
    assert response.status_code == 400 and "expired" in response.text


def test_sign_in_attempts_are_limited_per_address_and_cannot_lock_a_colleague_out(database_url):
    with console_client(database_url, staff_login_attempts_per_15_minutes=3) as attacker:
        codes = [sign_in(attacker, "agent@example.gov.uk", "not the password").status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        blocked = sign_in(attacker, "agent@example.gov.uk")  # even the right password waits
        assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.text
        # The agent, at their own desk, still signs in: the account itself is not locked.
        with TestClient(attacker.app, follow_redirects=False, client=("192.0.2.10", 50000)) as agent:
            assert sign_in(agent, "agent@example.gov.uk").status_code == 303
    attacker.app.state.engine.dispose()


def test_repeated_failures_on_one_account_are_slowed_not_blocked():
    now = [0.0]
    failures = auth.FailedSignIns(free=2, window=900, longest=4.0, clock=lambda: now[0])
    delays = []
    for _ in range(6):
        delays.append(failures.delay("Jo@Example.gov.uk"))
        failures.failed("jo@example.gov.uk")
    assert delays == [0.0, 0.0, 0.5, 1.0, 2.0, 4.0]  # doubling, then capped
    assert failures.delay("someone.else@example.gov.uk") == 0.0
    now[0] += 901  # the window passes
    assert failures.delay("jo@example.gov.uk") == 0.0
    failures.failed("jo@example.gov.uk")
    failures.failed("jo@example.gov.uk")
    failures.failed("jo@example.gov.uk")
    failures.succeeded("jo@example.gov.uk")
    assert failures.delay("jo@example.gov.uk") == 0.0


def test_sign_out_ends_the_session(console):
    sign_in(console, "agent@example.gov.uk")
    page = console.get("/staff")
    assert console.post("/staff/logout", data={"csrf_token": csrf_from(page.text)}).status_code == 303
    assert console.get("/staff").status_code == 303
    with console.app.state.session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []


@pytest.mark.parametrize("column, age", [("last_seen_at", timedelta(minutes=31)), ("created_at", timedelta(hours=11))])
def test_idle_and_absolute_session_timeouts(console, column, age):
    sign_in(console, "agent@example.gov.uk")
    with console.app.state.session_factory.begin() as session:
        stamp = session.scalars(select(getattr(StaffSession, column))).one()
        session.execute(update(StaffSession).values({column: stamp - age}))
    assert console.get("/staff").status_code == 303


def test_forms_without_the_csrf_token_are_refused(console):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    for token in ("", "forged"):
        response = console.post(f"/staff/tickets/{reference}/claim", data={"csrf_token": token})
        assert response.status_code == 403 and "form has expired" in response.text
    with console.app.state.session_factory() as session:
        assert session.scalars(select(Ticket.status)).one() == "waiting"


def test_queue_lists_waiting_tickets_oldest_first_with_filters_and_search(console):
    first = handoff(console, "conv-a", contact_name="Alice Older")
    second = handoff(console, "conv-b", contact_name="Bob Newer", reason="complaint", contact_email="bob@example.org")
    sign_in(console, "agent@example.gov.uk")
    page = console.get("/staff").text
    assert page.index(first) < page.index(second)
    assert "Waiting: <strong>2</strong>" in page
    assert (
        second in console.get("/staff?reason=complaint").text
        and first not in console.get("/staff?reason=complaint").text
    )
    assert second in console.get("/staff?q=bob@example").text and first not in console.get("/staff?q=bob@example").text
    assert first in console.get("/staff?q=library spin").text  # what they wrote
    assert first in console.get(f"/staff?q={first.lower()}").text
    assert "No tickets match" in console.get("/staff?q=nothing-like-this").text


def test_a_ticket_shows_the_transcript_as_text(console):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    page = console.get(f"/staff/tickets/{reference}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; can I talk to someone" in page
    assert "<script>alert(1)</script>" not in page
    assert "sam.visitor@example.org" in page and "Sam Visitor" in page


def test_unknown_ticket_is_a_404_page(console):
    sign_in(console, "agent@example.gov.uk")
    response = console.get("/staff/tickets/MIS-999999")
    assert response.status_code == 404 and "There is no ticket" in response.text


def test_a_ticket_from_claim_to_resolve_with_every_change_audited(console):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{reference}"

    def post(action, **data):
        token = csrf_from(console.get(url).text)
        return console.post(f"{url}/{action}", data={"csrf_token": token, **data})

    assert post("claim").status_code == 303
    assert post("reply", text="Hello Sam, this is Jo.").status_code == 303
    with console.app.state.session_factory() as session:
        assert chat_service.for_rasa_sender(db_session=session, sender_id="conv-console-1").bot_paused is True
    assert post("note", text="Wants a call about TUPE").status_code == 303
    assert post("priority", priority="high").status_code == 303
    assert post("hand-back").status_code == 303
    tomorrow = utcnow().date() + timedelta(days=1)
    arranged = post(
        "callback",
        callback_day=str(tomorrow.day),
        callback_month=str(tomorrow.month),
        callback_year=str(tomorrow.year),
        callback_time="2:30pm",
    )
    assert arranged.status_code == 303 and arranged.headers["location"].endswith("?done=callback")
    assert post("resolve", outcome="callback_made").status_code == 303
    illegal = post("hand-back")
    assert illegal.status_code == 303 and illegal.headers["location"].endswith("?error=transition")
    assert "That change is not possible" in console.get(illegal.headers["location"]).text
    assert post("reopen").status_code == 303

    with console.app.state.session_factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.status, ticket.priority, ticket.outcome) == ("waiting", "high", None)
        assert ticket.first_response_at is not None and ticket.callback_due_at is not None
        assert chat_service.for_rasa_sender(db_session=session, sender_id="conv-console-1").bot_paused is False
        events = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        ).all()
        kinds = [(e.kind, e.to_status) for e in events]
        assert kinds == [
            ("created", "waiting"),
            ("assigned", None),
            ("status_changed", "claimed"),
            ("status_changed", "live"),
            ("staff_replied", None),
            ("note_added", None),
            ("priority_changed", None),
            ("status_changed", "claimed"),
            ("status_changed", "callback_arranged"),
            ("status_changed", "resolved"),
            ("status_changed", "waiting"),
        ]
        assert all(e.actor.startswith("staff:") for e in events[1:])
    page = console.get(url).text
    assert "Wants a call about TUPE" in page and "Jo Agent" in page


@pytest.mark.parametrize(
    "action, data, anchor, message",
    [
        ("note", {"text": "  "}, "note-text", "Enter a note"),
        ("note", {"text": "<i>x</i>" * 1000}, "note-text", "The note must be 5000 characters or fewer"),
        ("resolve", {"outcome": "vanished"}, "outcome-answered", "Choose an outcome"),
        ("resolve", {}, "outcome-answered", "Choose an outcome"),
        ("priority", {"priority": "extreme"}, "priority", "Choose a priority"),
        ("reply", {"text": ""}, "reply-text", "Enter a reply"),
        (
            "callback",
            {"callback_day": "31", "callback_month": "2", "callback_year": "2027", "callback_time": "2pm"},
            "callback-day",
            "The date of the call back must be a real date",
        ),
        (
            "callback",
            {"callback_day": "3", "callback_year": "2027", "callback_time": "2pm"},
            "callback-day",
            "The date of the call back must include a month",
        ),
        (
            "callback",
            {"callback_day": "3", "callback_month": "3", "callback_year": "2027", "callback_time": "25:00"},
            "callback-time",
            "Enter the time of the call back as a real time, for example 2:30pm or 14:30",
        ),
        (
            "callback",
            {"callback_day": "3", "callback_month": "3", "callback_year": "2020", "callback_time": "9am"},
            "callback-day",
            "The call back must be in the future",
        ),
    ],
)
def test_bad_form_input_gets_the_govuk_error_pattern_and_changes_nothing(console, action, data, anchor, message):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{reference}"
    response = console.post(f"{url}/{action}", data={"csrf_token": csrf_from(console.get(url).text), **data})
    assert response.status_code == 422
    page = response.text
    assert "<title>Error: Ticket " in page
    assert f'<a href="#{anchor}">{message}</a>' in page  # in the summary, linked to the field
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in page  # and on the field
    assert "<i>" not in page and page.count('id="' + anchor + '"') == 1
    with console.app.state.session_factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.status, ticket.priority, ticket.callback_due_at) == ("waiting", "normal", None)
        assert ticket.notes == []


def test_each_change_is_confirmed_in_a_success_banner_named_by_the_redirect(console):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{reference}"

    def post(action, **data):
        response = console.post(f"{url}/{action}", data={"csrf_token": csrf_from(console.get(url).text), **data})
        assert response.status_code == 303, response.text
        return response.headers["location"]

    banners = {}
    for action, data in (
        ("claim", {}),
        ("reply", {"text": "<b>Hello</b>"}),
        ("note", {"text": "<b>Called</b>"}),
        ("priority", {"priority": "high"}),
        ("callback", {}),
        ("resolve", {"outcome": "answered"}),
    ):
        location = post(action, **data)
        assert location.startswith(url + "?done=")
        page = console.get(location).text
        banner = re.search(
            r'<div class="govuk-notification-banner govuk-notification-banner--success" role="alert".*?</p>', page, re.S
        )
        assert banner, action
        banners[action] = re.sub(r"<[^>]+>|\s+", " ", banner.group(0)).split("Success")[-1].strip()
    assert banners == {
        "claim": "You claimed this ticket.",
        "reply": "Your reply was sent to the visitor.",
        "note": "Your note was added.",
        "priority": "The priority was changed.",
        "callback": "The call back was arranged.",
        "resolve": "The ticket was resolved.",
    }
    # The query only names a message: anything else shows no banner, and nothing is echoed.
    page = console.get(f"{url}?done=<script>alert(1)</script>").text
    assert "govuk-notification-banner" not in page and "alert(1)" not in page


@pytest.mark.parametrize("text", ["  ", "<b>Hello</b> " + "x" * 2000])
def test_a_refused_reply_comes_back_with_its_text(console, text):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{reference}"
    response = console.post(f"{url}/reply", data={"csrf_token": csrf_from(console.get(url).text), "text": text})
    assert response.status_code == 422 and "There is a problem" in response.text
    kept = text.strip().replace("<", "&lt;").replace(">", "&gt;")
    assert f'aria-describedby="reply-hint reply-error">{kept}</textarea>' in response.text  # kept, never as HTML


def test_a_reply_to_a_ticket_resolved_a_moment_before_is_kept_not_lost(console):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{reference}"
    form = csrf_from(console.get(url).text)
    assert console.post(f"{url}/claim", data={"csrf_token": form}).status_code == 303
    # A colleague resolves it while this agent is typing on the page they loaded earlier.
    with console.app.state.session_factory.begin() as session:
        ticket = hotline_service.get_by_reference(db_session=session, reference=reference)
        ticket.status = "resolved"
    response = console.post(f"{url}/reply", data={"csrf_token": form, "text": "Here is the form you need."})
    assert response.status_code == 409
    assert "Your reply was not sent" in response.text and "Here is the form you need.</textarea>" in response.text


def test_live_view_reports_new_messages_and_presence(console):
    reference = handoff(console)
    sign_in(console, "agent@example.gov.uk")
    body = console.get(f"/staff/tickets/{reference}/messages.json?after=0").json()
    assert [m["sender"] for m in body["messages"]] == ["user", "system"]
    assert body["visitor_present"] is False
    last = body["messages"][-1]["id"]
    with console.app.state.session_factory.begin() as session:
        ticket = hotline_service.get_by_reference(db_session=session, reference=reference)
        hotline_service.reply(db_session=session, ticket=ticket, staff_id=None, actor="staff:1", text="Hi")
    later = console.get(f"/staff/tickets/{reference}/messages.json?after={last}").json()
    assert [m["sender"] for m in later["messages"]] == ["system", "staff"]


def test_create_staff_refuses_weak_or_duplicate_accounts(db_session):
    from bot.console import auth

    auth.create_staff(
        db_session=db_session, email="X@Example.gov.uk", display_name="X", password="long enough password", role="agent"
    )
    for kwargs, words in (
        ({"email": "x@example.gov.uk", "password": "long enough password"}, "already exists"),
        ({"email": "y@example.gov.uk", "password": "short"}, "at least 12"),
        ({"email": "not-an-email", "password": "long enough password"}, "valid email"),
        ({"email": "z@example.gov.uk", "password": "long enough password", "role": "owner"}, "role"),
    ):
        with pytest.raises(auth.AccountError, match=words):
            auth.create_staff(db_session=db_session, display_name="Y", **{"role": "agent", **kwargs})
    account = auth.authenticate(db_session=db_session, email="x@example.gov.uk", password="long enough password")
    assert account is not None and account.password_hash.startswith("$argon2")


def test_the_create_staff_command(tmp_path):
    import os
    import subprocess
    import sys

    from bot.console import auth as console_auth
    from bot.database import migrate
    from bot.database.core import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path / 'staff.db'}"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENVIRONMENT": "test",
        **{name: "x" * 20 for name in ("SERVICE_TOKEN", "RASA_TOKEN", "ACTION_TOKEN")},
    }
    command = [
        sys.executable,
        "-m",
        "bot",
        "create-staff",
        "--email",
        "Jo@Example.gov.uk",
        "--name",
        "Jo",
        "--role",
        "admin",
        "--password-stdin",
    ]
    made = subprocess.run(
        command, input="a long enough password\n", env=env, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0 and "Created admin account jo@example.gov.uk" in made.stdout
    again = subprocess.run(
        command, input="a long enough password\n", env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    weak = subprocess.run(
        command[:5] + ["x@example.gov.uk"] + command[6:],
        input="short\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode == 1 and "at least 12" in weak.stderr
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        account = console_auth.authenticate(
            db_session=session, email="jo@example.gov.uk", password="a long enough password"
        )
        assert account is not None and account.role == "admin"
        session.add(StaffSession(id="still-signed-in", staff_id=account.id, csrf_token="x"))
        session.commit()

    # A forgotten password: a new one, and the account is signed out everywhere.
    reset = [sys.executable, "-m", "bot", "reset-password", "--email", "JO@example.gov.uk", "--password-stdin"]
    done = subprocess.run(reset, input="another long password\n", env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "New password set for jo@example.gov.uk" in done.stdout
    nobody = subprocess.run(
        reset[:5] + ["nobody@example.gov.uk", "--password-stdin"],
        input="another long password\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert nobody.returncode == 1 and "There is no staff account" in nobody.stderr
    short = subprocess.run(reset, input="short\n", env=env, capture_output=True, text=True, timeout=60)
    assert short.returncode == 1 and "at least 12" in short.stderr
    with make_session_factory(engine)() as session:
        assert (
            console_auth.authenticate(db_session=session, email="jo@example.gov.uk", password="a long enough password")
            is None
        )
        assert console_auth.authenticate(
            db_session=session, email="jo@example.gov.uk", password="another long password"
        )
        assert session.scalars(select(StaffSession)).all() == []
    engine.dispose()


@pytest.mark.parametrize(
    "path",
    [
        "/staff?assignee=%C2%B2",  # a digit to str.isdigit, not to int()
        "/staff?assignee=" + "9" * 400,
        "/staff/tickets/MIS-000001/messages.json?after=1e20",
        "/staff/static/%00",
        "/widget/%00",
        "/assets/%00",
    ],
)
def test_malformed_parameters_get_a_4xx_not_a_500(database_url, path):
    with console_client(database_url) as client:
        client.raise_server_exceptions = False  # a 500 shows as a 500, not as this test's error
        sign_in(client, "admin@example.gov.uk")
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code)
    client.app.state.engine.dispose()


def test_a_date_in_other_digits_is_refused_not_a_500(database_url):
    with console_client(database_url) as client:
        client.raise_server_exceptions = False
        sign_in(client, "admin@example.gov.uk")
        page = "/staff/faq/what-is-an-asset-lock"
        form = client.get(page).text
        data = {
            "question": "What is an asset lock?",
            "alternatives": "a\nb\nc",
            "answer": "An asset lock keeps assets for the community.",
            "topic": "legal-forms",
            "source_url": "https://www.gov.uk/cic",
            "last_reviewed_day": "1",
            "last_reviewed_month": "1",
            "last_reviewed_year": "²²²²",
            "as_of_year": "²²²²",
            "csrf_token": csrf_from(form),
        }
        response = client.post(page, data=data)
        assert response.status_code == 400 and "must be a real date" in response.text
        bad_length = client.post("/api/faq/search", content=b"{}", headers={"Content-Length": b"\xb2"})
        assert bad_length.status_code == 400
        assert client.get("/staff/unanswered?days=%C2%B2").status_code == 200  # the default period
    client.app.state.engine.dispose()


def test_empty_sign_in_fields_get_an_error_each(console):
    page = console.get("/staff/login")
    response = console.post("/staff/login", data={"email": " ", "password": "", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 400
    text = response.text
    assert "<title>Error: Sign in" in text
    assert '<a href="#email">Enter your email address</a>' in text
    assert '<a href="#password">Enter your password</a>' in text
    assert 'id="email-error" class="govuk-error-message"' in text and 'aria-describedby="email-error"' in text
    assert 'id="password-error" class="govuk-error-message"' in text and 'aria-describedby="password-error"' in text
    assert "mis_staff" not in response.headers.get("set-cookie", "")


def test_the_queue_shows_how_long_each_ticket_waited_and_its_category_by_name(console):
    waiting = handoff(console, "conv-w", contact_name="Still Waiting", category="tupe")
    taken = handoff(console, "conv-t", contact_name="Taken Early", category="legal-forms")
    with console.app.state.session_factory.begin() as session:
        for ticket in session.scalars(select(Ticket)):
            ticket.created_at -= timedelta(hours=3)
        for event in session.scalars(select(TicketEvent)):
            event.created_at -= timedelta(hours=3)
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{taken}"
    console.post(f"{url}/claim", data={"csrf_token": csrf_from(console.get(url).text)})
    with console.app.state.session_factory.begin() as session:
        ticket = hotline_service.get_by_reference(db_session=session, reference=taken)
        claimed = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.from_status == "waiting")
        ).one()
        claimed.created_at = ticket.created_at + timedelta(minutes=42)
    page = console.get("/staff?status=all").text
    cells = [
        re.sub(r"<[^>]+>", " ", row)
        for row in re.findall(r'<tr class="govuk-table__row app-console-stack__row".*?</tr>', page, re.S)
    ]
    by_reference = {" ".join(cell.split()).split(" ")[0]: " ".join(cell.split()) for cell in cells}
    assert "Waited 3 hours so far" in by_reference[waiting] and "Category TUPE" in by_reference[waiting]
    assert "Waited 42 minutes " in by_reference[taken] and "Category Legal forms" in by_reference[taken]
    assert "tupe" not in by_reference[waiting].replace("TUPE", "")
    assert f'<a class="govuk-link app-console-reference" href="/staff/tickets/{waiting}">' in page
    ticket_page = console.get(url).text
    assert "42 minutes before someone took it" in ticket_page and "Legal forms" in ticket_page


def test_a_resolved_ticket_says_nothing_about_replying_live_or_waiting(console):
    reference = handoff(console)
    with console.app.state.session_factory.begin() as session:
        conversation = chat_service.for_rasa_sender(db_session=session, sender_id="conv-console-1")
        conversation.visitor_seen_at = utcnow()  # the visitor is on the page
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{reference}"
    open_page = console.get(url).text
    assert "Yes: you can reply live" in open_page and "so far" in open_page
    console.post(f"{url}/resolve", data={"csrf_token": csrf_from(open_page), "outcome": "answered"})
    resolved = console.get(url).text
    assert "On the page now" not in resolved and "reply live" not in resolved
    assert "so far" not in resolved and "before someone took it" in resolved
    assert 'id="reply-text"' not in resolved
    assert console.get(f"{url}/messages.json").json()["visitor_present"] is False


def test_a_reply_carries_the_staff_members_first_name_and_the_audit_says_what_the_visitor_rated(console):
    reference = handoff(console, sender_id="conv-console-rated")
    sign_in(console, "agent@example.gov.uk")
    url = f"/staff/tickets/{reference}"

    def post(action, **data):
        token = csrf_from(console.get(url).text)
        return console.post(f"{url}/{action}", data={"csrf_token": token, **data})

    assert post("reply", text="Hello, how can I help?").status_code == 303
    assert post("resolve", outcome="answered").status_code == 303
    with console.app.state.session_factory() as session:
        conversation = chat_service.for_rasa_sender(db_session=session, sender_id="conv-console-rated")
        shown = [
            chat_service.to_read(m)
            for m in chat_service.messages_after(db_session=session, conversation_id=conversation.id)
        ]
        staff = next(m for m in shown if m["sender"] == "staff")
        account = auth.get_by_email(db_session=session, email="agent@example.gov.uk")
        assert staff["author"] == account.display_name.split()[0]
        hotline_service.record_satisfaction(db_session=session, conversation_id=conversation.id, helped=False)
        session.commit()
    page = console.get(url).text
    assert "The visitor" in page and "Asked if they got the help they needed, the visitor said: no" in page
