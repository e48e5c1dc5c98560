"""The FAQ store and the ambassador directory, edited in the console by administrators.

Form input is checked with the content loader's own models, so an entry written here
obeys the same rules as one in data/content. An edit is used by the assistant's next
answer: the FAQ search index is rebuilt when the published entries' fingerprint changes,
with no retraining. Every change writes a ContentEvent in the same transaction.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.api.deps import get_db, get_settings_dep
from bot.config import Settings
from bot.console import labels
from bot.console.deps import Staff, admin_staff, check_csrf, render
from bot.console.models import ContentEvent
from bot.content.dates import months_before
from bot.content.loader import AmbassadorFileEntry, FaqFileEntry
from bot.database.core import LIKE_ESCAPE, contains_pattern, utcnow
from bot.directory import places, sectors
from bot.directory import service as directory_service
from bot.directory.models import Ambassador
from bot.faq import service as faq_service
from bot.faq.models import FaqEntry
from bot.hotline.models import StaffAccount

router = APIRouter(prefix="/staff", include_in_schema=False)

HISTORY_LENGTH = 10
# "new" is the address of the create form, so no entry may be called that.
RESERVED_IDS = frozenset({"new"})
TOPIC_LABELS = labels.TOPICS

EVENT_LABELS = {
    "faq_created": "Created",
    "faq_updated": "Changed",
    "faq_unpublished": "Unpublished",
    "faq_published": "Published",
    "faq_reviewed": "Reviewed against its sources",
    "faq_source_gone": "A source reported gone",
    "faq_restored": "Restored an earlier version",
    "ambassador_created": "Added",
    "ambassador_updated": "Changed",
    "ambassador_retired": "Retired",
    "ambassador_reinstated": "Reinstated",
    "ambassador_confirmed": "Confirmed as still mentoring",
}
FIELD_LABELS = {
    "id": "Id",
    "question": "Question",
    "alternatives": "Other ways of asking",
    "answer": "Answer",
    "topic": "Topic",
    "source_url": "Source",
    "source_title": "Source title",
    "also": "Other sources",
    "sources": "Sources",
    "last_reviewed": "Last reviewed",
    "as_of": "Correct as of",
    "published": "Published",
    "name": "Name",
    "role": "Role",
    "organisation": "Organisation",
    "sectors": "Sectors",
    "region": "Region",
    "location": "Location",
    "expertise": "Expertise",
    "availability": "Availability",
    "summary": "Summary",
    "active": "Active",
    "source_gone": "Source gone",
    "confirmed_on": "Confirmed",
}
DONE_MESSAGES = {
    "created": "The entry was created.",
    "updated": "Your changes were saved.",
    "unchanged": "Nothing was changed.",
    "unpublished": "The entry was unpublished. The assistant no longer uses it.",
    "published": "The entry was published. The assistant uses it from its next answer.",
    "reviewed": "The entry was marked as reviewed today.",
    "source_gone": "The source was reported as gone. Visitors no longer see it, and the entry is due for review.",
    "restored": "The earlier version was restored. The assistant uses it from its next answer.",
    "added": "The ambassador was added to the directory.",
    "retired": "The ambassador was retired. The assistant no longer offers them.",
    "reinstated": "The ambassador was reinstated. The assistant offers them again.",
    "confirmed": "The ambassador was confirmed as still mentoring today. The assistant offers introductions to them.",
}
# Column sizes in the store, where they are tighter than the loader's rules.
FAQ_LIMITS = {"source_url": 500, "source_title": 300}
AMBASSADOR_LIMITS = {"name": 200, "role": 200, "organisation": 200, "location": 120, "source_url": 500}


# Shared ---------------------------------------------------------------------------------


def _common(staff: Staff) -> dict:
    return {"staff": staff, "csrf_token": staff.session.csrf_token, "labels": labels}


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _not_found(request: Request, staff: Staff, heading: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=404, heading=heading, message=message, **_common(staff))


def _no_faq(request: Request, staff: Staff, faq_id: str) -> HTMLResponse:
    return _not_found(request, staff, "FAQ entry not found", f"There is no FAQ entry with the id '{faq_id}'.")


def _no_ambassador(request: Request, staff: Staff, ambassador_id: str) -> HTMLResponse:
    message = f"There is no ambassador with the id '{ambassador_id}'."
    return _not_found(request, staff, "Ambassador not found", message)


def _digits(text: str) -> bool:
    """ASCII digits only: "²" is a digit to str.isdigit, but int() refuses it."""
    return text.isascii() and text.isdigit()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _newlines(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the store keeps plain newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blank_to_none(value: str) -> str | None:
    return value.strip() or None


def _slug_message(value: str, error_type: str) -> str:
    if not value:
        return "Enter an id"
    if "max_length" in error_type:
        return "The id must be 120 characters or fewer"
    return "The id can only contain lower-case letters, numbers and single hyphens, like how-to-spin-out"


def _url_message() -> str:
    return "Enter the web address in full, starting with https:// (or http://)"


def _record_event(
    *,
    db_session: Session,
    staff: Staff,
    kind: str,
    entity_id: str,
    fields: list[str],
    before: dict | None = None,
    after: dict | None = None,
    restored_from: int | None = None,
) -> None:
    """An audited change; an FAQ edit keeps the changed fields' values before and after, so
    its history can show what changed and bring an earlier version back."""
    detail: dict = {"fields": fields}
    if before is not None and after is not None:
        detail.update(before=before, after=after)
    if restored_from is not None:
        detail["restored_from"] = restored_from
    db_session.add(ContentEvent(kind=kind, entity_id=entity_id, actor=f"staff:{staff.account.id}", detail=detail))


# The fields an FAQ entry's history keeps, and how a version's values are stored (JSON).
FAQ_VERSIONED = ("question", "alternatives", "answer", "topic", "source_url", "sources", "last_reviewed", "as_of")
RESTORABLE = frozenset({"faq_updated", "faq_restored"})


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _snapshot(entry: FaqEntry, fields) -> dict:
    return {name: _jsonable(getattr(entry, name)) for name in fields if name in FAQ_VERSIONED}


def _from_json(name: str, value):
    return date.fromisoformat(value) if name == "last_reviewed" and isinstance(value, str) else value


def _as_text(name: str, value) -> str:
    """A stored value as the history shows it: one line per item of a list."""
    if value is None or value == [] or value == "":
        return "(empty)"
    if name == "sources":
        return "\n".join(f"{s.get('title') or 'Untitled'} | {s.get('url') or ''}" for s in value if isinstance(s, dict))
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if name == "topic":
        return TOPIC_LABELS.get(value, str(value))
    if name == "last_reviewed":
        return labels.day(_from_json(name, value))
    return str(value)


_TOKENS = re.compile(r"\s+|[^\s]+")


def diff_words(before: str, after: str) -> list[tuple[str, str]]:
    """Word by word, what was kept ("same"), taken out ("removed") and put in ("added").
    Plain text pieces: the template escapes each one."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(new[j1:j2])))
    return pieces


def _changes(detail: dict) -> list[dict]:
    before, after = detail.get("before"), detail.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [
        {
            "label": FIELD_LABELS.get(name, name),
            "pieces": diff_words(_as_text(name, before.get(name)), _as_text(name, after.get(name))),
        }
        for name in FAQ_VERSIONED
        if name in before or name in after
    ]


def _apply(obj, values: dict) -> list[str]:
    """Set the values that differ; the names of the fields that changed."""
    changed = []
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


def _history(*, db_session: Session, entity_id: str, prefix: str) -> list[dict]:
    """The latest changes to one entry, newest first, ready to show."""
    events = db_session.scalars(
        select(ContentEvent)
        .where(ContentEvent.entity_id == entity_id, ContentEvent.kind.startswith(prefix, autoescape=True))
        .order_by(ContentEvent.created_at.desc(), ContentEvent.id.desc())
        .limit(HISTORY_LENGTH)
    ).all()
    names = dict(db_session.execute(select(StaffAccount.id, StaffAccount.display_name)).all())
    rows = []
    for event in events:
        who = event.actor
        if who.startswith("staff:") and _digits(who[6:]):
            who = names.get(int(who[6:]), who)
        detail = event.detail or {}
        fields = detail.get("fields") or []
        changes = _changes(detail)
        rows.append(
            {
                "id": event.id,
                "when": labels.when(event.created_at),
                "who": who,
                "what": EVENT_LABELS.get(event.kind, event.kind),
                "fields": ", ".join(FIELD_LABELS.get(f, f) for f in fields),
                "changes": changes,
                "restorable": bool(changes) and event.kind in RESTORABLE,
            }
        )
    return rows


# FAQ entries ----------------------------------------------------------------------------


@dataclass
class FaqForm:
    """What an administrator typed, kept as text so a form with errors shows it again."""

    id: str = ""
    question: str = ""
    alternatives: str = ""
    answer: str = ""
    topic: str = ""
    source_url: str = ""
    source_title: str = ""
    other_sources: str = ""  # one per line: title | web address
    reviewed_day: str = ""
    reviewed_month: str = ""
    reviewed_year: str = ""
    as_of_month: str = ""
    as_of_year: str = ""

    @classmethod
    def from_entry(cls, entry: FaqEntry) -> FaqForm:
        reviewed = entry.last_reviewed
        sources = list(entry.sources or [])
        main = sources[0] if sources and sources[0].get("url") == entry.source_url else {}
        others = [s for s in sources if s is not main]
        return cls(
            id=entry.id,
            question=entry.question,
            alternatives="\n".join(entry.alternatives or []),
            answer=entry.answer,
            topic=entry.topic,
            source_url=entry.source_url or "",
            source_title=main.get("title") or "",
            other_sources="\n".join(f"{s.get('title') or ''} | {s.get('url') or ''}" for s in others),
            reviewed_day=str(reviewed.day) if reviewed else "",
            reviewed_month=str(reviewed.month) if reviewed else "",
            reviewed_year=str(reviewed.year) if reviewed else "",
            as_of_year=(entry.as_of or "")[:4],
            as_of_month=str(int(entry.as_of[5:])) if entry.as_of and len(entry.as_of) == 7 else "",
        )


def faq_form(
    id: str = Form(""),  # the form field is called id
    question: str = Form(""),
    alternatives: str = Form(""),
    answer: str = Form(""),
    topic: str = Form(""),
    source_url: str = Form(""),
    source_title: str = Form(""),
    also: str = Form(""),  # the other sources, one per line
    last_reviewed_day: str = Form(""),
    last_reviewed_month: str = Form(""),
    last_reviewed_year: str = Form(""),
    as_of_month: str = Form(""),
    as_of_year: str = Form(""),
) -> FaqForm:
    return FaqForm(
        id=id.strip(),
        question=question,
        alternatives=alternatives,
        answer=_newlines(answer),
        topic=topic,
        source_url=source_url.strip(),
        source_title=source_title.strip(),
        other_sources=_newlines(also),
        reviewed_day=last_reviewed_day.strip(),
        reviewed_month=last_reviewed_month.strip(),
        reviewed_year=last_reviewed_year.strip(),
        as_of_month=as_of_month.strip(),
        as_of_year=as_of_year.strip(),
    )


def _as_of(form: FaqForm) -> tuple[str | None, str | None]:
    """The "correct as of" value ("2019" or "2019-10"), or why it is not one."""
    if not form.as_of_month and not form.as_of_year:
        return None, None
    if not form.as_of_year:
        return None, "The date the answer is correct as of must include a year"
    if not _digits(form.as_of_year) or len(form.as_of_year) != 4:
        return None, "The year the answer is correct as of must be 4 numbers, for example 2019"
    if not form.as_of_month:
        value = form.as_of_year
    elif not _digits(form.as_of_month) or not 1 <= int(form.as_of_month) <= 12:
        return None, "The month the answer is correct as of must be a number from 1 to 12"
    else:
        value = f"{form.as_of_year}-{int(form.as_of_month):02d}"
    if value > utcnow().date().isoformat()[: len(value)]:
        return None, "The date the answer is correct as of must be this month or in the past"
    return value, None


def _reviewed_date(form: FaqForm) -> tuple[date | None, str | None]:
    parts = {"day": form.reviewed_day, "month": form.reviewed_month, "year": form.reviewed_year}
    if not any(parts.values()):
        return None, "Enter the date the answer was last reviewed"
    missing = [name for name, value in parts.items() if not value]
    if missing:
        return None, f"The date the answer was last reviewed must include a {' and a '.join(missing)}"
    if not all(_digits(value) for value in parts.values()) or len(form.reviewed_year) != 4:
        return None, "The date the answer was last reviewed must be a real date"
    try:
        reviewed = date(int(form.reviewed_year), int(form.reviewed_month), int(form.reviewed_day))
    except ValueError:
        return None, "The date the answer was last reviewed must be a real date"
    if reviewed > utcnow().date():
        return None, "The date the answer was last reviewed must be today or in the past"
    return reviewed, None


def _faq_message(field_name: str, form: FaqForm, error_type: str, date_error: str | None) -> str:
    if field_name == "id":
        return _slug_message(form.id, error_type)
    if field_name == "question":
        if not form.question.strip():
            return "Enter the question"
        return "The question must be 300 characters or fewer"
    if field_name == "alternatives":
        if "min_items" in error_type:
            return "Enter at least 3 other ways of asking the question, one on each line"
        return "Each other way of asking the question must be 300 characters or fewer"
    if field_name == "answer":
        if not form.answer.strip():
            return "Enter the answer"
        if "min_length" in error_type:
            return "The answer must be at least 20 characters"
        if error_type == "value_error":
            return (
                "The answer can only use the placeholders {hotline_number}, {hotline_email} and {office_hours}"
                " (check the curly brackets)"
            )
        return "The answer must be 4000 characters or fewer"
    if field_name == "topic":
        return "Choose a topic"
    if field_name == "source_url":
        return "Enter the source's web address" if not form.source_url else _url_message()
    if field_name == "source_title":
        return "The source title must be 300 characters or fewer"
    if field_name == "also":
        return "Write each other source on its own line as its title, a | and its web address starting with https://"
    if field_name == "last_reviewed":
        return date_error or "Enter the date the answer was last reviewed"
    if field_name == "as_of":
        return "The answer must say when its facts date from: name the year in the answer, for example In 2019, ..."
    return "Check this field"


def validate_faq(*, db_session: Session, form: FaqForm, creating: bool) -> tuple[FaqFileEntry | None, dict[str, str]]:
    """The checked entry, or the problems keyed by field, in the order the form shows them."""
    reviewed, date_error = _reviewed_date(form)
    as_of, as_of_error = _as_of(form)
    raw = {
        "id": form.id,
        "topic": form.topic,
        "question": form.question,
        "alternatives": _lines(form.alternatives),
        "answer": form.answer,
        "source_url": form.source_url,
        "source_title": form.source_title or None,
        "also": _other_sources(form.other_sources),
        "last_reviewed": reviewed,
        "as_of": as_of,
    }
    found: dict[str, str] = {"as_of": as_of_error} if as_of_error else {}
    parsed = None
    try:
        parsed = FaqFileEntry.parse_obj(raw)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0])
            found.setdefault(name, _faq_message(name, form, error["type"], date_error))
    for name, limit in FAQ_LIMITS.items():
        if name not in found and len(str(raw[name] or "")) > limit:
            found[name] = f"{FIELD_LABELS[name]} must be {limit} characters or fewer"
    if creating and "id" not in found:
        if form.id in RESERVED_IDS:
            found["id"] = f"The id '{form.id}' is reserved: choose another"
        elif db_session.get(FaqEntry, form.id) is not None:
            found["id"] = f"An FAQ entry with the id '{form.id}' already exists: choose another"
    order = (
        "id",
        "question",
        "alternatives",
        "answer",
        "topic",
        "source_url",
        "source_title",
        "also",
        "last_reviewed",
        "as_of",
    )
    errors = {name: found[name] for name in order if name in found}
    return (None if errors else parsed), errors


def _faq_values(entry: FaqFileEntry) -> dict:
    return {
        "question": entry.question,
        "alternatives": list(entry.alternatives),
        "answer": entry.answer,
        "topic": entry.topic.value,
        "source_url": str(entry.source_url),
        "sources": entry.sources(),
        "last_reviewed": entry.last_reviewed,
        "as_of": entry.as_of,
    }


def _other_sources(text: str) -> list[dict]:
    """ "Title | https://..." lines as sources (a line without a | is kept whole as the
    address, so the check says what is wrong with it)."""
    sources = []
    for line in _lines(text):
        title, bar, url = line.rpartition("|")
        sources.append({"title": title.strip() or None, "url": url.strip()} if bar else {"title": None, "url": line})
    return sources


def _faq_page(
    request: Request,
    staff: Staff,
    db_session: Session,
    *,
    form: FaqForm,
    entry: FaqEntry | None,
    errors: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "faq_form.html",
        status_code=400 if errors else 200,
        **_common(staff),
        form=form,
        entry=entry,
        errors=errors or {},
        done=DONE_MESSAGES.get(done or ""),
        topics=TOPIC_LABELS,
        history=_history(db_session=db_session, entity_id=entry.id, prefix="faq_") if entry else [],
    )


def review_due_before(settings: Settings, today: date | None = None) -> date:
    """Entries last reviewed before this day are due for review (FAQ_REVIEW_MONTHS)."""
    return months_before(settings.faq_review_months, today)


def _due(statement, cutoff: date):
    """Published entries never reviewed, reviewed before `cutoff`, or with a source gone."""
    return statement.where(
        FaqEntry.published.is_(True),
        or_(FaqEntry.last_reviewed.is_(None), FaqEntry.last_reviewed < cutoff, FaqEntry.source_gone.is_(True)),
    )


@router.get("/faq", response_class=HTMLResponse)
def faq_list(
    request: Request,
    q: str = Query("", max_length=200),
    due: bool = Query(False),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
):
    """Every FAQ entry, published or not, with a search of the question, answer and id;
    or (`due`) the published entries due for review, oldest first."""
    cutoff = review_due_before(settings)
    due_count = db_session.scalar(_due(select(func.count(FaqEntry.id)), cutoff))
    statement = select(FaqEntry).order_by(FaqEntry.topic, FaqEntry.id)
    if due:
        statement = _due(select(FaqEntry), cutoff).order_by(FaqEntry.last_reviewed.is_not(None), FaqEntry.last_reviewed)
    words = q.strip()
    if words:
        pattern = contains_pattern(words)
        statement = statement.where(
            or_(
                FaqEntry.id.ilike(pattern, escape=LIKE_ESCAPE),
                FaqEntry.question.ilike(pattern, escape=LIKE_ESCAPE),
                FaqEntry.answer.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    entries = db_session.scalars(statement).all()
    return render(
        request,
        "faq_list.html",
        **_common(staff),
        entries=entries,
        q=words,
        due=due,
        due_count=due_count,
        cutoff=cutoff,
        review_months=settings.faq_review_months,
        topics=TOPIC_LABELS,
    )


@router.get("/faq/new", response_class=HTMLResponse)
def faq_new(
    request: Request,
    question: str = Query("", max_length=1000),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    today = utcnow().date()
    form = FaqForm(
        question=" ".join(question.split())[:300],
        reviewed_day=str(today.day),
        reviewed_month=str(today.month),
        reviewed_year=str(today.year),
    )
    return _faq_page(request, staff, db_session, form=form, entry=None)


@router.post("/faq/new", response_class=HTMLResponse)
def faq_create(
    request: Request,
    form: FaqForm = Depends(faq_form),
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    parsed, errors = validate_faq(db_session=db_session, form=form, creating=True)
    if errors:
        return _faq_page(request, staff, db_session, form=form, entry=None, errors=errors)
    values = _faq_values(parsed)
    db_session.add(FaqEntry(id=parsed.id, published=True, **values))
    _record_event(db_session=db_session, staff=staff, kind="faq_created", entity_id=parsed.id, fields=["id", *values])
    try:
        db_session.flush()
    except IntegrityError:  # created by someone else a moment ago
        db_session.rollback()
        errors = {"id": f"An FAQ entry with the id '{parsed.id}' already exists: choose another"}
        return _faq_page(request, staff, db_session, form=form, entry=None, errors=errors)
    return _see_other(f"/staff/faq/{parsed.id}?done=created")


@router.get("/faq/{faq_id}", response_class=HTMLResponse)
def faq_edit(
    request: Request,
    faq_id: str,
    done: str = Query(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    entry = db_session.get(FaqEntry, faq_id)
    if entry is None:
        return _no_faq(request, staff, faq_id)
    return _faq_page(request, staff, db_session, form=FaqForm.from_entry(entry), entry=entry, done=done)


@router.post("/faq/{faq_id}", response_class=HTMLResponse)
def faq_update(
    request: Request,
    faq_id: str,
    form: FaqForm = Depends(faq_form),
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    entry = db_session.get(FaqEntry, faq_id)
    if entry is None:
        return _no_faq(request, staff, faq_id)
    form.id = entry.id  # ids are stable: the form cannot change one
    parsed, errors = validate_faq(db_session=db_session, form=form, creating=False)
    if errors:
        return _faq_page(request, staff, db_session, form=form, entry=entry, errors=errors)
    values = _faq_values(parsed)
    values["sources"], values["source_gone"] = faq_service.keep_gone_reports(entry.sources, values["sources"])
    before = _snapshot(entry, values)
    changed = _apply(entry, values)
    if not changed:
        return _see_other(f"/staff/faq/{entry.id}?done=unchanged")
    _record_event(
        db_session=db_session,
        staff=staff,
        kind="faq_updated",
        entity_id=entry.id,
        fields=changed,
        before={name: before[name] for name in changed if name in before},
        after=_snapshot(entry, changed),
    )
    return _see_other(f"/staff/faq/{entry.id}?done=updated")


@router.post("/faq/{faq_id}/restore")
def faq_restore(
    request: Request,
    faq_id: str,
    event_id: str = Form("", max_length=12),
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    """Bring back the fields one change made as they were before it. The restore is itself
    a change in the history, and can be undone the same way."""
    check_csrf(staff, csrf_token)
    entry = db_session.get(FaqEntry, faq_id)
    if entry is None:
        return _no_faq(request, staff, faq_id)
    event = db_session.get(ContentEvent, int(event_id)) if _digits(event_id) else None
    earlier = (event.detail or {}).get("before") if event and event.entity_id == entry.id else None
    if event is None or event.kind not in RESTORABLE or not isinstance(earlier, dict):
        message = "That earlier version of this entry is not recorded, so it cannot be restored."
        return _not_found(request, staff, "Version not found", message)
    values = {name: _from_json(name, value) for name, value in earlier.items() if name in FAQ_VERSIONED}
    before = _snapshot(entry, values)
    changed = _apply(entry, values)
    if not changed:
        return _see_other(f"/staff/faq/{entry.id}?done=unchanged#history")
    _record_event(
        db_session=db_session,
        staff=staff,
        kind="faq_restored",
        entity_id=entry.id,
        fields=changed,
        before={name: before[name] for name in changed},
        after=_snapshot(entry, changed),
        restored_from=event.id,
    )
    return _see_other(f"/staff/faq/{entry.id}?done=restored")


def _set_published(
    request: Request, staff: Staff, db_session: Session, faq_id: str, csrf_token: str, published: bool
) -> Response:
    check_csrf(staff, csrf_token)
    entry = db_session.get(FaqEntry, faq_id)
    if entry is None:
        return _no_faq(request, staff, faq_id)
    if entry.published != published:
        entry.published = published
        kind = "faq_published" if published else "faq_unpublished"
        _record_event(db_session=db_session, staff=staff, kind=kind, entity_id=entry.id, fields=["published"])
    return _see_other(f"/staff/faq/{entry.id}?done={'published' if published else 'unpublished'}")


@router.post("/faq/{faq_id}/reviewed")
def faq_reviewed(
    request: Request,
    faq_id: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    """A person checked the entry against its sources today: recorded with who did it."""
    check_csrf(staff, csrf_token)
    entry = db_session.get(FaqEntry, faq_id)
    if entry is None:
        return _no_faq(request, staff, faq_id)
    settled = entry.source_gone
    faq_service.mark_reviewed(entry=entry)
    fields = ["last_reviewed", "sources"] if settled else ["last_reviewed"]
    _record_event(db_session=db_session, staff=staff, kind="faq_reviewed", entity_id=entry.id, fields=fields)
    return _see_other(f"/staff/faq/{entry.id}?done=reviewed")


@router.post("/faq/{faq_id}/source-gone")
def faq_source_gone(
    request: Request,
    faq_id: str,
    url: str = Form("", max_length=500),
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    """A source no longer has what the answer rests on (removed or moved): visitors stop
    seeing it, and the entry is due for review."""
    check_csrf(staff, csrf_token)
    entry = db_session.get(FaqEntry, faq_id)
    if entry is None:
        return _no_faq(request, staff, faq_id)
    if not faq_service.report_source_gone(entry=entry, url=url):
        return _not_found(request, staff, "Source not found", "That web address is not one of this entry's sources.")
    _record_event(db_session=db_session, staff=staff, kind="faq_source_gone", entity_id=entry.id, fields=["sources"])
    return _see_other(f"/staff/faq/{entry.id}?done=source_gone")


@router.post("/faq/{faq_id}/unpublish")
def faq_unpublish(
    request: Request,
    faq_id: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    return _set_published(request, staff, db_session, faq_id, csrf_token, published=False)


@router.post("/faq/{faq_id}/publish")
def faq_publish(
    request: Request,
    faq_id: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    return _set_published(request, staff, db_session, faq_id, csrf_token, published=True)


# Ambassadors ----------------------------------------------------------------------------


@dataclass
class AmbassadorForm:
    id: str = ""
    name: str = ""
    role: str = ""
    organisation: str = ""
    sectors: list[str] = field(default_factory=list)
    region: str = ""
    location: str = ""
    expertise: str = ""
    availability: str = ""
    summary: str = ""
    source_url: str = ""

    @classmethod
    def from_ambassador(cls, ambassador: Ambassador) -> AmbassadorForm:
        return cls(
            id=ambassador.id,
            name=ambassador.name,
            role=ambassador.role or "",
            organisation=ambassador.organisation or "",
            sectors=list(ambassador.sectors or []),
            region=ambassador.region or "",
            location=ambassador.location or "",
            expertise="\n".join(ambassador.expertise or []),
            availability=ambassador.availability or "",
            summary=ambassador.summary or "",
            source_url=ambassador.source_url or "",
        )


def ambassador_form(
    id: str = Form(""),  # the form field is called id
    name: str = Form(""),
    role: str = Form(""),
    organisation: str = Form(""),
    sectors: list[str] = Form([]),
    region: str = Form(""),
    location: str = Form(""),
    expertise: str = Form(""),
    availability: str = Form(""),
    summary: str = Form(""),
    source_url: str = Form(""),
) -> AmbassadorForm:
    return AmbassadorForm(
        id=id.strip(),
        name=name,
        role=role,
        organisation=organisation,
        sectors=[s for s in sectors if s],
        region=region.strip(),
        location=location,
        expertise=expertise,
        availability=availability,
        summary=_newlines(summary),
        source_url=source_url.strip(),
    )


def _ambassador_message(field_name: str, form: AmbassadorForm, error_type: str) -> str:
    if field_name == "id":
        return _slug_message(form.id, error_type)
    if field_name == "name":
        return "Enter the ambassador's name" if not form.name.strip() else "The name must be 200 characters or fewer"
    if field_name in ("role", "organisation", "location", "availability"):
        return f"{FIELD_LABELS[field_name]} must be 300 characters or fewer"
    if field_name == "sectors":
        return "Choose sectors from the list"
    if field_name == "region":
        return "Choose a region from the list, or Not stated"
    if field_name == "expertise":
        return "Each line of expertise must be 300 characters or fewer"
    if field_name == "summary":
        return "The summary must be 2000 characters or fewer"
    if field_name == "source_url":
        return _url_message()
    return "Check this field"


def validate_ambassador(
    *, db_session: Session, form: AmbassadorForm, creating: bool, active: bool = True
) -> tuple[AmbassadorFileEntry | None, dict[str, str]]:
    raw = {
        "id": form.id,
        "name": form.name,
        "role": _blank_to_none(form.role),
        "organisation": _blank_to_none(form.organisation),
        "sectors": form.sectors,
        "region": form.region or None,
        "location": _blank_to_none(form.location),
        "expertise": _lines(form.expertise),
        "availability": _blank_to_none(form.availability),
        "active": active,
        "source_url": form.source_url or None,
        "summary": _blank_to_none(form.summary),
    }
    found: dict[str, str] = {}
    parsed = None
    try:
        parsed = AmbassadorFileEntry.parse_obj(raw)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0])
            found.setdefault(name, _ambassador_message(name, form, error["type"]))
    for name, limit in AMBASSADOR_LIMITS.items():
        if name not in found and len(str(raw[name] or "")) > limit:
            found[name] = f"{FIELD_LABELS[name]} must be {limit} characters or fewer"
    if creating and "id" not in found:
        if form.id in RESERVED_IDS:
            found["id"] = f"The id '{form.id}' is reserved: choose another"
        elif db_session.get(Ambassador, form.id) is not None:
            found["id"] = f"An ambassador with the id '{form.id}' already exists: choose another"
    order = (
        "id",
        "name",
        "role",
        "organisation",
        "sectors",
        "region",
        "location",
        "expertise",
        "availability",
        "summary",
        "source_url",
    )
    errors = {name: found[name] for name in order if name in found}
    return (None if errors else parsed), errors


def _ambassador_values(entry: AmbassadorFileEntry) -> dict:
    return {
        "name": entry.name,
        "role": entry.role,
        "organisation": entry.organisation,
        # In the order of the list on the form, whatever order the browser sent them in.
        "sectors": [s for s in sectors.SECTORS if s in entry.sectors],
        "region": entry.region,
        "location": entry.location,
        "expertise": list(entry.expertise),
        "availability": entry.availability,
        "summary": entry.summary,
        "source_url": str(entry.source_url) if entry.source_url else None,
    }


def _ambassador_page(
    request: Request,
    staff: Staff,
    db_session: Session,
    *,
    form: AmbassadorForm,
    ambassador: Ambassador | None,
    errors: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "ambassador_form.html",
        status_code=400 if errors else 200,
        **_common(staff),
        form=form,
        ambassador=ambassador,
        errors=errors or {},
        done=DONE_MESSAGES.get(done or ""),
        sectors=sectors.SECTORS,
        regions=places.REGIONS,
        confirmed=bool(
            ambassador
            and directory_service.is_confirmed(
                ambassador, months=get_settings_dep(request).ambassador_confirmation_months
            )
        ),
        history=(_history(db_session=db_session, entity_id=ambassador.id, prefix="ambassador_") if ambassador else []),
    )


@router.get("/ambassadors", response_class=HTMLResponse)
def ambassador_list(
    request: Request,
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
):
    ambassadors = db_session.scalars(select(Ambassador).order_by(Ambassador.active.desc(), Ambassador.name)).all()
    months = settings.ambassador_confirmation_months
    confirmed = {a.id for a in ambassadors if directory_service.is_confirmed(a, months=months)}
    return render(
        request,
        "ambassador_list.html",
        **_common(staff),
        ambassadors=ambassadors,
        confirmed=confirmed,
        unconfirmed_count=sum(1 for a in ambassadors if a.active and a.id not in confirmed),
        confirmation_months=months,
        sectors=sectors.SECTORS,
        regions=places.REGIONS,
    )


@router.get("/ambassadors/new", response_class=HTMLResponse)
def ambassador_new(request: Request, staff: Staff = Depends(admin_staff), db_session: Session = Depends(get_db)):
    return _ambassador_page(request, staff, db_session, form=AmbassadorForm(), ambassador=None)


@router.post("/ambassadors/new", response_class=HTMLResponse)
def ambassador_create(
    request: Request,
    form: AmbassadorForm = Depends(ambassador_form),
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    parsed, errors = validate_ambassador(db_session=db_session, form=form, creating=True)
    if errors:
        return _ambassador_page(request, staff, db_session, form=form, ambassador=None, errors=errors)
    values = _ambassador_values(parsed)
    db_session.add(Ambassador(id=parsed.id, active=True, **values))
    _record_event(
        db_session=db_session, staff=staff, kind="ambassador_created", entity_id=parsed.id, fields=["id", *values]
    )
    try:
        db_session.flush()
    except IntegrityError:
        db_session.rollback()
        errors = {"id": f"An ambassador with the id '{parsed.id}' already exists: choose another"}
        return _ambassador_page(request, staff, db_session, form=form, ambassador=None, errors=errors)
    return _see_other(f"/staff/ambassadors/{parsed.id}?done=added")


@router.get("/ambassadors/{ambassador_id}", response_class=HTMLResponse)
def ambassador_edit(
    request: Request,
    ambassador_id: str,
    done: str = Query(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    ambassador = db_session.get(Ambassador, ambassador_id)
    if ambassador is None:
        return _no_ambassador(request, staff, ambassador_id)
    form = AmbassadorForm.from_ambassador(ambassador)
    return _ambassador_page(request, staff, db_session, form=form, ambassador=ambassador, done=done)


@router.post("/ambassadors/{ambassador_id}", response_class=HTMLResponse)
def ambassador_update(
    request: Request,
    ambassador_id: str,
    form: AmbassadorForm = Depends(ambassador_form),
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    check_csrf(staff, csrf_token)
    ambassador = db_session.get(Ambassador, ambassador_id)
    if ambassador is None:
        return _no_ambassador(request, staff, ambassador_id)
    form.id = ambassador.id
    parsed, errors = validate_ambassador(
        db_session=db_session, form=form, creating=False, active=bool(ambassador.active)
    )
    if errors:
        return _ambassador_page(request, staff, db_session, form=form, ambassador=ambassador, errors=errors)
    changed = _apply(ambassador, _ambassador_values(parsed))
    if not changed:
        return _see_other(f"/staff/ambassadors/{ambassador.id}?done=unchanged")
    _record_event(
        db_session=db_session, staff=staff, kind="ambassador_updated", entity_id=ambassador.id, fields=changed
    )
    return _see_other(f"/staff/ambassadors/{ambassador.id}?done=updated")


def _set_active(
    request: Request, staff: Staff, db_session: Session, ambassador_id: str, csrf_token: str, active: bool
) -> Response:
    check_csrf(staff, csrf_token)
    ambassador = db_session.get(Ambassador, ambassador_id)
    if ambassador is None:
        return _no_ambassador(request, staff, ambassador_id)
    if ambassador.active != active:
        ambassador.active = active
        kind = "ambassador_reinstated" if active else "ambassador_retired"
        _record_event(db_session=db_session, staff=staff, kind=kind, entity_id=ambassador.id, fields=["active"])
    return _see_other(f"/staff/ambassadors/{ambassador.id}?done={'reinstated' if active else 'retired'}")


@router.post("/ambassadors/{ambassador_id}/confirmed")
def ambassador_confirmed(
    request: Request,
    ambassador_id: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    """A member of staff confirmed today that the ambassador still mentors (recorded with who)."""
    check_csrf(staff, csrf_token)
    ambassador = db_session.get(Ambassador, ambassador_id)
    if ambassador is None:
        return _no_ambassador(request, staff, ambassador_id)
    if not ambassador.active:
        return _see_other(f"/staff/ambassadors/{ambassador.id}")
    directory_service.confirm(db_session=db_session, ambassador=ambassador, by=staff.account.display_name)
    _record_event(
        db_session=db_session,
        staff=staff,
        kind="ambassador_confirmed",
        entity_id=ambassador.id,
        fields=["confirmed_on"],
    )
    return _see_other(f"/staff/ambassadors/{ambassador.id}?done=confirmed")


@router.post("/ambassadors/{ambassador_id}/retire")
def ambassador_retire(
    request: Request,
    ambassador_id: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    return _set_active(request, staff, db_session, ambassador_id, csrf_token, active=False)


@router.post("/ambassadors/{ambassador_id}/reinstate")
def ambassador_reinstate(
    request: Request,
    ambassador_id: str,
    csrf_token: str = Form(""),
    staff: Staff = Depends(admin_staff),
    db_session: Session = Depends(get_db),
):
    return _set_active(request, staff, db_session, ambassador_id, csrf_token, active=True)
