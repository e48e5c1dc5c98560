"""Pages for every signed-in member of staff: the questions the assistant could not
answer, and a dashboard of how the service is doing.

Charts are inline SVG drawn on the server: no JavaScript, and no inline styles (the
console's Content-Security-Policy allows neither). Python only works out the geometry;
the template writes every piece of text, so it is escaped like the rest of the page.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.api.deps import get_db
from bot.chat import service as chat_service
from bot.console import insight, labels
from bot.console.deps import Staff, current_staff, render
from bot.database.core import utcnow
from bot.hotline.models import Ticket

router = APIRouter(prefix="/staff", include_in_schema=False)

PERIODS = {7: "Last 7 days", 30: "Last 30 days", 90: "Last 90 days"}
DEFAULT_PERIOD = 30
DAILY_DAYS = 14
MAX_GROUPS = 100
MAX_CONVERSATIONS = 10  # links under each group; the newest first
WHY_LABELS = {
    "none": "No answer found",
    "suggest": "Not sure of the answer",
    "not_helpful": "Visitor said the answer did not help",
}
# GOV.UK colours, each at least 3:1 against white.
BLUE = "#1d70b8"
GREEN = "#00703c"
RED = "#d4351c"
DARK_GREY = "#505a5f"


def _common(staff: Staff) -> dict:
    return {"staff": staff, "csrf_token": staff.session.csrf_token, "labels": labels}


def _period(days: str) -> int:
    return int(days) if days.isascii() and days.isdigit() and int(days) in PERIODS else DEFAULT_PERIOD


# Charts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBar:
    label: str
    value_text: str
    colour: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    label_anchor: str
    value_x: float
    value_y: float
    value_anchor: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    bars: list[ChartBar]
    axis: tuple[float, float, float, float]


def _describe(title: str, items: list[tuple[str, str]]) -> str:
    return f"{title}. " + "; ".join(f"{label}: {value}" for label, value in items) + "."


def column_chart(*, chart_id: str, title: str, items: list[tuple[str, int]], colour: str = BLUE) -> Chart:
    """Vertical bars, one a column, labelled below and valued above."""
    slot, side, top, plot, below = 64, 10, 30, 180, 34
    peak = max((value for _, value in items), default=0) or 1
    bars = []
    for position, (label, value) in enumerate(items):
        height = round(plot * value / peak, 1)
        left = side + position * slot
        bars.append(
            ChartBar(
                label=label,
                value_text=str(value),
                colour=colour,
                x=left + 12,
                y=round(top + plot - height, 1),
                width=slot - 24,
                height=height,
                label_x=left + slot / 2,
                label_y=top + plot + 24,
                label_anchor="middle",
                value_x=left + slot / 2,
                value_y=round(top + plot - height - 8, 1),
                value_anchor="middle",
            )
        )
    width = side * 2 + slot * len(items)
    return Chart(
        id=chart_id,
        title=title,
        description=_describe(title, [(label, str(value)) for label, value in items]),
        width=width,
        height=top + plot + below,
        bars=bars,
        axis=(side, top + plot, width - side, top + plot),
    )


def bar_chart(*, chart_id: str, title: str, items: list[tuple[str, int | float, str, str]]) -> Chart:
    """Horizontal bars: (label, value, value as text, colour) each, labels on the left."""
    label_width, longest, row, bar, pad = 250, 340, 40, 26, 8
    peak = max((value for _, value, _, _ in items), default=0) or 1
    bars = []
    for position, (label, value, value_text, colour) in enumerate(items):
        y = pad + position * row + (row - bar) / 2
        length = round(longest * value / peak, 1)
        baseline = y + bar / 2 + 6  # 16px text, roughly centred on the bar
        bars.append(
            ChartBar(
                label=label,
                value_text=value_text,
                colour=colour,
                x=label_width,
                y=y,
                width=length,
                height=bar,
                label_x=label_width - 10,
                label_y=baseline,
                label_anchor="end",
                value_x=round(label_width + length + 8, 1),
                value_y=baseline,
                value_anchor="start",
            )
        )
    height = pad * 2 + row * len(items)
    return Chart(
        id=chart_id,
        title=title,
        description=_describe(title, [(label, text) for label, _, text, _ in items]),
        width=label_width + longest + 90,
        height=height,
        bars=bars,
        axis=(label_width, pad, label_width, height - pad),
    )


def _minutes(value: float) -> str:
    rounded = round(value, 1)
    if rounded == int(rounded):
        whole = int(rounded)
        return f"{whole} minute{'' if whole == 1 else 's'}"
    return f"{rounded:.1f} minutes"


# Pages ----------------------------------------------------------------------------------


@router.get("/unanswered", response_class=HTMLResponse)
def unanswered(
    request: Request,
    days: str = Query(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    """What visitors asked that the assistant could not answer well, grouped by wording."""
    period = _period(days)
    groups = insight.unanswered_groups(db_session=db_session, since=utcnow() - timedelta(days=period))
    rows = [
        {
            "representative": group.representative,
            "count": group.count,
            "examples": group.examples,
            "last_asked": labels.when(group.last_asked),
            "reasons": [(WHY_LABELS.get(why, why), count) for why, count in group.reasons.items()],
            "write_href": "/staff/faq/new?" + urlencode({"question": group.representative[:300]}),
            "conversations": [
                (question.log_id, labels.when(question.asked_at)) for question in group.asked_in[:MAX_CONVERSATIONS]
            ],
            "more_conversations": max(0, len(group.asked_in) - MAX_CONVERSATIONS),
        }
        for group in groups[:MAX_GROUPS]
    ]
    return render(
        request,
        "unanswered.html",
        **_common(staff),
        groups=rows,
        more=max(0, len(groups) - MAX_GROUPS),
        total=sum(group.count for group in groups),
        period=period,
        periods=PERIODS,
    )


@router.get("/unanswered/{log_id}", response_class=HTMLResponse)
def unanswered_question(
    request: Request,
    log_id: str,
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    """One unanswered question in the conversation it was asked in (by the question's log
    row, so a conversation's id never appears in an address)."""
    question = insight.get_question(db_session=db_session, log_id=int(log_id)) if _small_id(log_id) else None
    if question is None or not question.text:
        message = "There is no such question. It may have been removed with its conversation."
        return render(
            request, "error.html", status_code=404, heading="Question not found", message=message, **_common(staff)
        )
    conversation = chat_service.get(db_session=db_session, conversation_id=question.conversation_id or "")
    messages = (
        chat_service.messages_after(db_session=db_session, conversation_id=conversation.id, limit=2000)
        if conversation
        else []
    )
    ticket = (
        db_session.scalars(select(Ticket).where(Ticket.conversation_id == conversation.id)).first()
        if conversation
        else None
    )
    # The visitor's message that asked it, to mark in the transcript: the first with the same words.
    asked = next(
        (m for m in messages if m.sender == "user" and m.text.strip() == question.text.strip()),
        None,
    )
    return render(
        request,
        "unanswered_question.html",
        **_common(staff),
        question=question,
        why=WHY_LABELS.get(question.decision, WHY_LABELS["not_helpful"]),
        messages=messages,
        asked_id=asked.id if asked else None,
        purged=bool(conversation and conversation.purged_at),
        ticket=ticket,
        write_href="/staff/faq/new?" + urlencode({"question": question.text[:300]}),
    )


def _small_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 12


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    days: str = Query(""),
    staff: Staff = Depends(current_staff),
    db_session: Session = Depends(get_db),
):
    period = _period(days)
    since = utcnow() - timedelta(days=period)

    daily = insight.conversations_per_day(db_session=db_session, days=DAILY_DAYS)
    daily_rows = [(f"{day:%A} {labels.day(day)}", count) for day, count in daily]
    daily_chart = column_chart(
        chart_id="chart-daily",
        title=f"Conversations per day, last {DAILY_DAYS} days",
        items=[(day.strftime("%-d %b"), count) for day, count in daily],
    )

    outcomes = insight.conversation_outcomes(db_session=db_session, since=since)
    outcome_rows = [
        ("Without a handoff", outcomes.without_handoff),
        ("Handed to the hotline", outcomes.handed_off),
    ]
    outcome_chart = bar_chart(
        chart_id="chart-outcomes",
        title="Conversations with and without a handoff",
        items=[
            ("Without a handoff", outcomes.without_handoff, str(outcomes.without_handoff), BLUE),
            ("Handed to the hotline", outcomes.handed_off, str(outcomes.handed_off), DARK_GREY),
        ],
    )
    share = outcomes.share_without_handoff

    reasons = insight.handoffs_by_reason(db_session=db_session, since=since)
    reason_rows = [(labels.REASONS.get(reason, reason), count) for reason, count in reasons.items()]
    reason_chart = bar_chart(
        chart_id="chart-reasons",
        title="Handoffs by reason",
        items=[(label, count, str(count), BLUE) for label, count in reason_rows],
    )

    waits = insight.first_response_minutes(db_session=db_session, since=since)
    median = statistics.median(waits) if waits else None

    feedback = insight.feedback_counts(db_session=db_session, since=since)
    feedback_rows = [("Yes, it helped", feedback.yes), ("No, it did not", feedback.no)]
    feedback_chart = bar_chart(
        chart_id="chart-feedback",
        title="Was this helpful?",
        items=[
            ("Yes, it helped", feedback.yes, str(feedback.yes), GREEN),
            ("No, it did not", feedback.no, str(feedback.no), RED),
        ],
    )

    satisfaction = insight.satisfaction_counts(db_session=db_session, since=since)
    satisfaction_rows = [("Yes", satisfaction.yes), ("No", satisfaction.no)]
    satisfaction_chart = bar_chart(
        chart_id="chart-satisfaction",
        title="Did you get the help you needed?",
        items=[
            ("Yes", satisfaction.yes, str(satisfaction.yes), GREEN),
            ("No", satisfaction.no, str(satisfaction.no), RED),
        ],
    )

    return render(
        request,
        "dashboard.html",
        **_common(staff),
        period=period,
        periods=PERIODS,
        daily_days=DAILY_DAYS,
        daily_chart=daily_chart if any(count for _, count in daily) else None,
        daily_rows=daily_rows,
        outcomes=outcomes,
        share_percent=round(share * 100) if share is not None else None,
        outcome_chart=outcome_chart if outcomes.total else None,
        outcome_rows=outcome_rows,
        reason_chart=reason_chart if any(reasons.values()) else None,
        reason_rows=reason_rows,
        handoffs=sum(reasons.values()),
        median_text=_minutes(median) if median is not None else None,
        waits_counted=len(waits),
        feedback_chart=feedback_chart if feedback.counted else None,
        feedback_rows=feedback_rows,
        feedback=feedback,
        satisfaction=satisfaction,
        satisfaction_rows=satisfaction_rows,
        satisfaction_chart=satisfaction_chart if satisfaction.answered else None,
        since_text=labels.when(since),
        daily_from=labels.day(daily[0][0]),
        daily_to=labels.day(daily[-1][0]),
    )
