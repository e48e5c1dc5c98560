"""The staff console: sign-in, the hotline queue and tickets. Server-rendered; every page
needs a signed-in member of staff and every form carries a CSRF token."""

from __future__ import annotations

import re
import secrets
import time

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.api.deps import get_db, get_settings_dep
from bot.chat import service as chat_service
from bot.chat.ratelimit import make_limiter
from bot.config import Settings
from bot.console import auth, insight, labels
from bot.console.dates import CallbackForm, callback_due
from bot.console.deps import SESSION_COOKIE, Staff, check_csrf, current_staff, render
from bot.database.core import utcnow
from bot.directory import service as directory_service
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketOutcome, TicketPriority, TicketStatus
from bot.hotline.models import StaffAccount, Ticket

router = APIRouter(prefix="/staff", include_in_schema=False)
LOGIN_CSRF_COOKIE = "mis_login_csrf"
VISITOR_PRESENT_SECONDS = 30
MAX_REPLY = 2000


def _common(staff: Staff) -> dict:
    return {"staff": staff, "csrf_token": staff.session.csrf_token, "labels": labels}


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(next_path: str | None) -> str:
    return next_path if next_path and next_path.startswith("/staff") and not next_path.startswith("//") else "/staff"


def _login_limiter(request: Request):
    settings = request.app.state.settings
    if not hasattr(request.app.state, "login_limiter"):
        request.app.state.login_limiter = make_limiter(
            settings.staff_login_attempts_per_15_minutes, 15 * 60, name="sign-in", redis_url=settings.redis_url
        )
    return request.app.state.login_limiter


def _failed_sign_ins(request: Request) -> auth.FailedSignIns:
    if not hasattr(request.app.state, "failed_sign_ins"):
        request.app.state.failed_sign_ins = auth.FailedSignIns()
    return request.app.state.failed_sign_ins


# Signing in and out ---------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None, settings: Settings = Depends(get_settings_dep)):
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", csrf_token=token, next=_safe_next(next), errors={}, email="")
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/staff"
    )
    return response


@router.post("/login", response_class=HTMLResponse)
def sign_in(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/staff"),
    db_session: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
):
    def again(error: str | dict[str, str], status_code: int) -> HTMLResponse:
        """The form again, with each problem on its field (one about both goes on the email)."""
        token = secrets.token_urlsafe(32)
        response = render(
            request,
            "login.html",
            status_code=status_code,
            csrf_token=token,
            next=_safe_next(next),
            errors=error if isinstance(error, dict) else {"email": error},
            email=email[:254],
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/staff"
        )
        return response

    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return again("The sign-in form had expired. Enter your details again.", 400)
    missing = {}
    if not email.strip():
        missing["email"] = "Enter your email address"
    if not password:
        missing["password"] = "Enter your password"  # noqa: S105 - a message, not a password
    if missing:
        return again(missing, 400)
    address = request.client.host if request.client else "unknown"
    wait = _login_limiter(request).hit(f"address:{address}")
    if wait:
        minutes = max(1, round(wait / 60))
        return again(
            f"Too many sign-in attempts. Wait {minutes} minute{'s' if minutes != 1 else ''} and try again.", 429
        )
    failures = _failed_sign_ins(request)
    time.sleep(failures.delay(email[:254]))  # repeated failures on one account are slowed
    account = auth.authenticate(db_session=db_session, email=email[:254], password=password[:1000])
    if account is None:
        failures.failed(email[:254])
        return again("The email address or password is not right.", 401)
    failures.succeeded(email[:254])
    token, _session = auth.start_session(db_session=db_session, account=account)
    db_session.commit()  # before the redirect: the browser's next request must find the session
    response = _see_other(_safe_next(next))
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/staff"
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")
    return response


@router.post("/logout")
def sign_out(
    request: Request,
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    auth.end_session(db_session=db_session, token=request.cookies.get(SESSION_COOKIE))
    response = _see_other("/staff/login")
    response.delete_cookie(SESSION_COOKIE, path="/staff")
    return response


# The queue ------------------------------------------------------------------------------


def _staff_names(db_session: Session) -> dict[int, str]:
    return dict(db_session.execute(select(StaffAccount.id, StaffAccount.display_name)).all())


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    status: str = Query("waiting", max_length=40),
    reason: str = Query("", max_length=60),
    # "me", or a staff account's id (ASCII digits: "²" is a digit to str.isdigit, not to int).
    assignee: str = Query("", max_length=12, regex=r"^(me|[0-9]*)$"),
    q: str = Query("", max_length=200),
    done: str = Query("", max_length=20),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    """Waiting tickets oldest first (or any status), with filters and search."""
    status_filter = TicketStatus(status) if status in labels.STATUS_LABELS else None
    assignee_id = staff.account.id if assignee == "me" else (int(assignee) if assignee else None)
    tickets = hotline_service.list_tickets(
        db_session=db_session,
        status=status_filter,
        reason=reason if reason in labels.REASONS else None,
        assignee_id=assignee_id,
        search=q or None,
        limit=200,
    )
    return render(
        request,
        "queue.html",
        **_common(staff),
        tickets=tickets,
        counts=hotline_service.counts_by_status(db_session=db_session),
        status=status if status_filter else "all",
        reason=reason,
        assignee=assignee,
        q=q,
        names=_staff_names(db_session),
        done="The ticket was released to the queue." if done == "released" else None,
        left_waiting=insight.left_waiting_at(db_session=db_session, ticket_ids=[t.id for t in tickets]),
        now=utcnow(),
    )


# A ticket -------------------------------------------------------------------------------

# Confirmations after a change (post/redirect/get): the query names one, never the text.
DONE_MESSAGES = {
    "claimed": "You claimed this ticket.",
    "taken-over": "You took over this ticket.",
    "replied": "Your reply was sent to the visitor.",
    "noted": "Your note was added.",
    "priority": "The priority was changed.",
    "callback": "The call back was arranged.",
    "resolved": "The ticket was resolved.",
    "reopened": "The ticket was reopened and is back in the queue.",
    "handed-back": "The conversation was handed back to the assistant.",
}
# Problems a redirect reports (a change refused on the server), keyed by the query's error.
PAGE_PROBLEMS = {
    "transition": "That change is not possible for a ticket in this state",
    "changed": "Someone else changed this ticket at the same moment, so your change was not made: check the ticket as"
    " it is now",
}
NOTE_LIMIT = 5000


def _ticket_or_404(db_session: Session, reference: str) -> Ticket:
    ticket = hotline_service.get_by_reference(db_session=db_session, reference=reference)
    if ticket is None:
        raise hotline_service.TicketNotFound(reference)
    return ticket


def _visitor_present(db_session: Session, ticket: Ticket) -> bool:
    if ticket.status == TicketStatus.resolved.value:
        return False  # nobody replies live on a resolved ticket, whoever is still on the page
    conversation = chat_service.get(db_session=db_session, conversation_id=ticket.conversation_id or "")
    seen = conversation.visitor_seen_at if conversation else None
    return bool(seen) and (utcnow() - seen).total_seconds() < VISITOR_PRESENT_SECONDS


@router.get("/tickets/{reference}", response_class=HTMLResponse)
def ticket_page(
    request: Request,
    reference: str,
    error: str = Query("", max_length=20),
    done: str = Query("", max_length=20),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    return _ticket_view(
        request, staff, db_session, _ticket_or_404(db_session, reference), problem=error, done=DONE_MESSAGES.get(done)
    )


def _problems(ticket: Ticket, names: dict[int, str], problem: str, reply_text: str) -> list[tuple[str, str]]:
    """Problems that belong to no one field, as (link target or "", message)."""
    if problem == "claimed":
        who = names.get(ticket.assignee_id, "a colleague") if ticket.assignee_id else "a colleague"
        return [("", f"Already claimed by {who}: take it over only if you have agreed it with them")]
    if problem == "reply-refused":
        state = labels.STATUS_LABELS[ticket.status].lower()
        message = f"Your reply was not sent: the ticket changed a moment ago (it is {state}). Your text is kept below"
        return [("reply-text", message)]
    if problem == "changed" and reply_text:
        message = (
            "Your reply was not sent: someone else changed this ticket at the same moment. Your text is kept below"
        )
        return [("reply-text", message)]
    if problem in PAGE_PROBLEMS:
        return [("", PAGE_PROBLEMS[problem])]
    return [("", "Something was not right: try again")] if problem else []


def _ticket_view(
    request: Request,
    staff: Staff,
    db_session: Session,
    ticket: Ticket,
    *,
    problem: str = "",
    errors: dict[str, str] | None = None,
    done: str | None = None,
    reply_text: str = "",
    note_text: str = "",
    callback: CallbackForm | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The ticket page; after a refused form, with what was typed still in its box and the
    problems in an error summary and on each field (the GOV.UK error pattern)."""
    messages = chat_service.paired(
        chat_service.messages_after(db_session=db_session, conversation_id=ticket.conversation_id, limit=2000)
        if ticket.conversation_id
        else []
    )
    ambassador = (
        directory_service.get(db_session=db_session, ambassador_id=ticket.ambassador_id)
        if ticket.ambassador_id
        else None
    )
    events = hotline_service.events(db_session=db_session, ticket=ticket)
    names = _staff_names(db_session)
    errors = errors or {}
    summary = [(FIELD_ANCHORS.get(name, name), message) for name, message in errors.items()]
    return render(
        request,
        "ticket.html",
        status_code=status_code,
        **_common(staff),
        ticket=ticket,
        messages=messages,
        events=events,
        left_waiting=labels.left_waiting_at(ticket, events),
        notes=ticket.notes,
        names=names,
        ambassador=ambassador,
        visitor_present=_visitor_present(db_session, ticket),
        purged_at=_purged_at(db_session, ticket),
        problems=_problems(ticket, names, problem, reply_text) + summary,
        errors=errors,
        done=done,
        reply_text=reply_text,
        note_text=note_text,
        callback=callback or CallbackForm.from_due(ticket.callback_due_at),
        zone=labels.zone_name(),
        # One per page: a reply form sent twice (a double click, a resubmitted page) is stored once.
        reply_nonce=secrets.token_urlsafe(16),
        now=utcnow(),
    )


# Where each field's error in the summary links to: the field itself, or a group's first box.
FIELD_ANCHORS = {"reply": "reply-text", "note": "note-text", "outcome": "outcome-answered", "callback": "callback-day"}


def _purged_at(db_session: Session, ticket: Ticket):
    """When the ticket's transcript and contact details were removed, if they were."""
    conversation = chat_service.get(db_session=db_session, conversation_id=ticket.conversation_id or "")
    return conversation.purged_at if conversation else None


@router.get("/tickets/{reference}/messages.json")
def ticket_messages(
    reference: str,
    after: int = Query(0, ge=0),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    """New transcript messages for the ticket page's live view."""
    ticket = _ticket_or_404(db_session, reference)
    messages = (
        chat_service.messages_after(db_session=db_session, conversation_id=ticket.conversation_id, after_id=after)
        if ticket.conversation_id
        else []
    )
    return JSONResponse(
        {
            "messages": [
                {"id": m.id, "sender": m.sender, "text": m.text, "at": labels.when(m.created_at)} for m in messages
            ],
            "visitor_present": _visitor_present(db_session, ticket),
            "status": ticket.status,
        }
    )


def _done(reference: str, done: str) -> RedirectResponse:
    return _see_other(f"/staff/tickets/{reference}?done={done}")


@router.post("/tickets/{reference}/claim")
def claim(
    reference: str,
    csrf_token: str = Form(""),
    take_over: str = Form("", max_length=5),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    """Claim an unassigned ticket; one a colleague has is only taken over on purpose (the
    page's "Take over" button), never by a Claim pressed on an out-of-date page."""
    check_csrf(staff, csrf_token)
    ticket = _ticket_or_404(db_session, reference)
    try:
        hotline_service.claim(db_session=db_session, ticket=ticket, account=staff.account, take_over=take_over == "yes")
    except hotline_service.AlreadyClaimed:
        db_session.rollback()
        return _see_other(f"/staff/tickets/{reference}?error=claimed")
    db_session.commit()
    return _done(reference, "taken-over" if take_over == "yes" else "claimed")


@router.post("/tickets/{reference}/release")
def release(
    reference: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    hotline_service.release(db_session=db_session, ticket=_ticket_or_404(db_session, reference), account=staff.account)
    db_session.commit()
    return _see_other("/staff?done=released")


@router.post("/tickets/{reference}/reply")
def reply(
    request: Request,
    reference: str,
    text: str = Form(""),
    csrf_token: str = Form(""),
    nonce: str = Form("", max_length=64),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    """A reply to the visitor. Sent twice with the same form nonce, it is stored once; refused
    (too long, or the ticket changed a moment before), the page comes back with the text kept."""
    check_csrf(staff, csrf_token)
    ticket = _ticket_or_404(db_session, reference)
    text = text.strip()
    if not text or len(text) > MAX_REPLY:
        message = "Enter a reply" if not text else f"The reply must be {MAX_REPLY} characters or fewer"
        return _ticket_view(
            request, staff, db_session, ticket, errors={"reply": message}, reply_text=text, status_code=422
        )
    nonce = nonce if NONCE.fullmatch(nonce) else ""
    if nonce and ticket.conversation_id and _already_sent(db_session, ticket, nonce):
        return _done(reference, "replied")
    try:
        if ticket.assignee_id is None:
            hotline_service.claim(db_session=db_session, ticket=ticket, account=staff.account)
        hotline_service.reply(
            db_session=db_session,
            ticket=ticket,
            staff_id=staff.account.id,
            actor=hotline_service.staff_actor(staff.account),
            text=text,
            client_message_id=nonce or None,
            author=staff.account.display_name,
        )
        db_session.commit()
    except IntegrityError:
        db_session.rollback()  # the same form, sent twice at once: the first was stored
        if nonce and _already_sent(db_session, ticket, nonce):
            return _done(reference, "replied")
        raise
    except (hotline_service.IllegalTransition, StaleDataError) as exc:
        db_session.rollback()
        db_session.expire_all()
        ticket = _ticket_or_404(db_session, reference)
        problem = "changed" if isinstance(exc, StaleDataError) else "reply-refused"
        return _ticket_view(request, staff, db_session, ticket, problem=problem, reply_text=text, status_code=409)
    return _done(reference, "replied")


NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _already_sent(db_session: Session, ticket: Ticket, nonce: str) -> bool:
    return (
        chat_service.by_client_message_id(
            db_session=db_session, conversation_id=ticket.conversation_id, client_message_id=f"staff-{nonce}"
        )
        is not None
    )


@router.post("/tickets/{reference}/hand-back")
def hand_back(
    reference: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    hotline_service.hand_back_to_bot(
        db_session=db_session, ticket=_ticket_or_404(db_session, reference), account=staff.account
    )
    db_session.commit()
    return _done(reference, "handed-back")


@router.post("/tickets/{reference}/note")
def note(
    request: Request,
    reference: str,
    text: str = Form(""),
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    ticket = _ticket_or_404(db_session, reference)
    text = text.strip()
    if not text or len(text) > NOTE_LIMIT:
        message = "Enter a note" if not text else f"The note must be {NOTE_LIMIT} characters or fewer"
        return _ticket_view(
            request, staff, db_session, ticket, errors={"note": message}, note_text=text, status_code=422
        )
    hotline_service.add_note(db_session=db_session, ticket=ticket, account=staff.account, text=text)
    db_session.commit()
    return _done(reference, "noted")


@router.post("/tickets/{reference}/priority")
def priority(
    request: Request,
    reference: str,
    priority: str = Form("", max_length=20),
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    ticket = _ticket_or_404(db_session, reference)
    if priority not in labels.PRIORITIES:
        errors = {"priority": "Choose a priority"}
        return _ticket_view(request, staff, db_session, ticket, errors=errors, status_code=422)
    hotline_service.set_priority(
        db_session=db_session, ticket=ticket, account=staff.account, priority=TicketPriority(priority)
    )
    db_session.commit()
    return _done(reference, "priority")


@router.post("/tickets/{reference}/callback")
def callback(
    request: Request,
    reference: str,
    callback_day: str = Form("", max_length=10),
    callback_month: str = Form("", max_length=10),
    callback_year: str = Form("", max_length=10),
    callback_time: str = Form("", max_length=20),
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    """A call back, with or without a time agreed; the time is typed in the office's zone."""
    check_csrf(staff, csrf_token)
    ticket = _ticket_or_404(db_session, reference)
    form = CallbackForm(callback_day.strip(), callback_month.strip(), callback_year.strip(), callback_time.strip())
    due_at, errors = callback_due(form)
    if errors:
        return _ticket_view(request, staff, db_session, ticket, errors=errors, callback=form, status_code=422)
    hotline_service.arrange_callback(db_session=db_session, ticket=ticket, account=staff.account, due_at=due_at)
    db_session.commit()
    return _done(reference, "callback")


@router.post("/tickets/{reference}/resolve")
def resolve(
    request: Request,
    reference: str,
    outcome: str = Form("", max_length=40),
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    ticket = _ticket_or_404(db_session, reference)
    if outcome not in labels.OUTCOMES:
        errors = {"outcome": "Choose an outcome"}
        return _ticket_view(request, staff, db_session, ticket, errors=errors, status_code=422)
    hotline_service.resolve(db_session=db_session, ticket=ticket, account=staff.account, outcome=TicketOutcome(outcome))
    db_session.commit()
    return _done(reference, "resolved")


@router.post("/tickets/{reference}/reopen")
def reopen(
    reference: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    hotline_service.reopen(db_session=db_session, ticket=_ticket_or_404(db_session, reference), account=staff.account)
    db_session.commit()
    return _done(reference, "reopened")
