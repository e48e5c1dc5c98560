"""What the console learns from the store: questions the assistant could not answer, and
the figures on the dashboard. Read-only; every time is naive UTC, like the store's."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from bot.chat.models import Conversation
from bot.console import labels
from bot.database.core import utcnow
from bot.faq.enums import SearchDecision
from bot.faq.models import AnswerFeedback, QuestionLog
from bot.faq.text import stems
from bot.hotline.enums import TicketEventKind, TicketReason, TicketStatus
from bot.hotline.models import Ticket, TicketEvent

SIMILARITY = 0.5
MAX_QUESTIONS = 5000  # the most recent; enough to show what people keep asking
MAX_EXAMPLES = 3
_CHUNK = 500  # ids per IN (...), well inside every backend's limit


# Unanswered questions -------------------------------------------------------------------


@dataclass(frozen=True)
class UnansweredQuestion:
    text: str
    asked_at: datetime
    why: str  # "none": no answer; "suggest": not confident; "not_helpful": visitor said no
    log_id: int | None = None  # the question log row: the way to the conversation it was asked in
    conversation_id: str | None = None


@dataclass
class QuestionGroup:
    representative: str
    stems: frozenset[str]
    questions: list[UnansweredQuestion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def last_asked(self) -> datetime:
        return max(q.asked_at for q in self.questions)

    @property
    def examples(self) -> list[str]:
        """Up to three different wordings, the representative first."""
        seen: list[str] = []
        folded: set[str] = set()
        for question in self.questions:
            key = " ".join(question.text.lower().split())
            if key not in folded:
                folded.add(key)
                seen.append(question.text)
            if len(seen) == MAX_EXAMPLES:
                break
        return seen

    @property
    def asked_in(self) -> list[UnansweredQuestion]:
        """One question for each conversation the group's questions were asked in, newest first."""
        seen: dict[str, UnansweredQuestion] = {}
        for question in sorted(self.questions, key=lambda q: q.asked_at, reverse=True):
            if question.conversation_id and question.conversation_id not in seen:
                seen[question.conversation_id] = question
        return list(seen.values())

    @property
    def reasons(self) -> dict[str, int]:
        return dict(Counter(q.why for q in self.questions))


def unanswered_questions(*, db_session: Session, since: datetime) -> list[UnansweredQuestion]:
    """Questions the assistant fell back on or was unsure of, and those whose answer the
    visitor said did not help, newest first."""
    fallbacks = db_session.execute(
        select(
            QuestionLog.id, QuestionLog.text, QuestionLog.created_at, QuestionLog.decision, QuestionLog.conversation_id
        )
        .where(
            QuestionLog.created_at >= since,
            QuestionLog.text != "",  # blanked when its conversation was anonymised
            QuestionLog.decision.in_((SearchDecision.none.value, SearchDecision.suggest.value)),
        )
        .order_by(QuestionLog.created_at.desc(), QuestionLog.id.desc())
        .limit(MAX_QUESTIONS)
    ).all()
    found = {
        row.id: UnansweredQuestion(row.text, row.created_at, row.decision, row.id, row.conversation_id)
        for row in fallbacks
    }

    for log in _questions_behind_unhelpful_answers(db_session=db_session, since=since):
        found.setdefault(
            log.id, UnansweredQuestion(log.text, log.created_at, "not_helpful", log.id, log.conversation_id)
        )
    return sorted(found.values(), key=lambda q: q.asked_at, reverse=True)[:MAX_QUESTIONS]


def _questions_behind_unhelpful_answers(*, db_session: Session, since: datetime) -> list[QuestionLog]:
    """For each "No, it did not" the question that got that answer: the conversation's
    latest search, before the feedback, whose top entry was the one rated."""
    feedback = db_session.execute(
        select(AnswerFeedback.conversation_id, AnswerFeedback.faq_id, AnswerFeedback.created_at)
        .where(
            AnswerFeedback.created_at >= since,
            AnswerFeedback.helpful.is_(False),
            AnswerFeedback.conversation_id.is_not(None),
            AnswerFeedback.faq_id.is_not(None),
        )
        .order_by(AnswerFeedback.created_at.desc())
        .limit(MAX_QUESTIONS)
    ).all()
    if not feedback:
        return []
    conversation_ids = sorted({row.conversation_id for row in feedback})
    logs_by_key: dict[tuple[str, str], list[QuestionLog]] = {}
    for start in range(0, len(conversation_ids), _CHUNK):
        chunk = conversation_ids[start : start + _CHUNK]
        for log in db_session.scalars(
            select(QuestionLog)
            .where(QuestionLog.conversation_id.in_(chunk), QuestionLog.top_faq_id.is_not(None), QuestionLog.text != "")
            .order_by(QuestionLog.created_at, QuestionLog.id)
        ):
            logs_by_key.setdefault((log.conversation_id, log.top_faq_id), []).append(log)
    matched: dict[int, QuestionLog] = {}
    for row in feedback:
        logs = logs_by_key.get((row.conversation_id, row.faq_id), [])
        earlier = [log for log in logs if log.created_at <= row.created_at]
        if earlier:
            matched[earlier[-1].id] = earlier[-1]
    return list(matched.values())


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def group_questions(*, questions: list[UnansweredQuestion], threshold: float = SIMILARITY) -> list[QuestionGroup]:
    """Greedy grouping: each question joins the first group whose first member shares
    enough stems with it (Jaccard), or starts a new group. Biggest groups first."""
    groups: list[QuestionGroup] = []
    for question in questions:
        words = frozenset(stems(question.text))
        if not words:
            # Only stopwords or symbols: group by the exact text, not with each other.
            words = frozenset({"\0" + " ".join(question.text.lower().split())})
        for group in groups:
            if _similarity(words, group.stems) >= threshold:
                group.questions.append(question)
                break
        else:
            groups.append(QuestionGroup(representative=question.text, stems=words, questions=[question]))
    return sorted(groups, key=lambda g: (-g.count, -g.last_asked.timestamp()))


def unanswered_groups(*, db_session: Session, since: datetime) -> list[QuestionGroup]:
    return group_questions(questions=unanswered_questions(db_session=db_session, since=since))


def get_question(*, db_session: Session, log_id: int) -> QuestionLog | None:
    return db_session.get(QuestionLog, log_id)


# The queue ------------------------------------------------------------------------------


def left_waiting_at(*, db_session: Session, ticket_ids: list[int]) -> dict[int, datetime]:
    """When each ticket first left the waiting queue (claimed, replied to, called back or
    resolved), from the audit trail; tickets never taken are not in the answer."""
    found: dict[int, datetime] = {}
    for start in range(0, len(ticket_ids), _CHUNK):
        chunk = ticket_ids[start : start + _CHUNK]
        rows = db_session.execute(
            select(TicketEvent.ticket_id, func.min(TicketEvent.created_at))
            .where(
                TicketEvent.ticket_id.in_(chunk),
                TicketEvent.kind == "status_changed",
                TicketEvent.from_status == TicketStatus.waiting.value,
            )
            .group_by(TicketEvent.ticket_id)
        ).all()
        found.update({ticket_id: moment for ticket_id, moment in rows})
    return found


# Dashboard figures ----------------------------------------------------------------------


def conversations_per_day(*, db_session: Session, days: int = 14, today: date | None = None) -> list[tuple[date, int]]:
    """Conversations started on each of the last `days` days, by the office's calendar day
    (UK time, as every date in the console), oldest first, with zeros."""
    zone = labels.display_zone()
    last = today or _local_date(utcnow(), zone)
    first = last - timedelta(days=days - 1)
    # From the start of the first day in the office's zone, as the store's naive UTC.
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)
    counts: Counter[date] = Counter(
        _local_date(created, zone)
        for created in db_session.scalars(select(Conversation.created_at).where(Conversation.created_at >= start))
    )
    return [(first + timedelta(days=n), counts.get(first + timedelta(days=n), 0)) for n in range(days)]


def _local_date(moment: datetime, zone) -> date:
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()


@dataclass(frozen=True)
class ConversationOutcomes:
    total: int
    handed_off: int

    @property
    def without_handoff(self) -> int:
        return self.total - self.handed_off

    @property
    def share_without_handoff(self) -> float | None:
        return self.without_handoff / self.total if self.total else None


def conversation_outcomes(*, db_session: Session, since: datetime) -> ConversationOutcomes:
    """Conversations started since `since`, and how many of them became a ticket."""
    in_period = Conversation.created_at >= since
    total = db_session.scalar(select(func.count(Conversation.id)).where(in_period)) or 0
    has_ticket = exists().where(Ticket.conversation_id == Conversation.id)
    handed_off = db_session.scalar(select(func.count(Conversation.id)).where(in_period, has_ticket)) or 0
    return ConversationOutcomes(total=total, handed_off=handed_off)


def handoffs_by_reason(*, db_session: Session, since: datetime) -> dict[str, int]:
    """Tickets opened since `since`, by reason, every reason listed."""
    rows = db_session.execute(
        select(Ticket.reason, func.count(Ticket.id)).where(Ticket.created_at >= since).group_by(Ticket.reason)
    ).all()
    counts = {reason.value: 0 for reason in TicketReason}
    for reason, count in rows:
        counts[reason] = counts.get(reason, 0) + count
    return counts


def first_response_minutes(*, db_session: Session, since: datetime) -> list[float]:
    """Minutes from each ticket's creation to the first staff response, for tickets opened
    since `since` that have had one."""
    rows = db_session.execute(
        select(Ticket.created_at, Ticket.first_response_at).where(
            Ticket.created_at >= since, Ticket.first_response_at.is_not(None)
        )
    ).all()
    return [max(0.0, (responded - created).total_seconds() / 60) for created, responded in rows]


def median_first_response_minutes(*, db_session: Session, since: datetime) -> float | None:
    waits = first_response_minutes(db_session=db_session, since=since)
    return statistics.median(waits) if waits else None


@dataclass(frozen=True)
class FeedbackCounts:
    """Answers to "Was this helpful?", each traceable to one answer the assistant gave."""

    yes: int
    no: int
    not_counted: int  # replies that named no answer, or repeated an earlier reply to it

    @property
    def counted(self) -> int:
        return self.yes + self.no


def feedback_counts(*, db_session: Session, since: datetime) -> FeedbackCounts:
    """Replies to "Was this helpful?" since `since`: one per answer in a conversation (the
    visitor's latest word on it), and only replies about an answer. A "no" typed when no
    answer had been given (after "I could not find an answer", say) is recorded without
    an FAQ entry: it is not a reply to "Was this helpful?", so it is not counted."""
    rows = db_session.execute(
        select(AnswerFeedback.id, AnswerFeedback.conversation_id, AnswerFeedback.faq_id, AnswerFeedback.helpful)
        .where(AnswerFeedback.created_at >= since)
        .order_by(AnswerFeedback.created_at, AnswerFeedback.id)
    ).all()
    latest: dict[tuple, bool] = {}
    for row in rows:
        if row.faq_id is None:
            continue
        key = (row.conversation_id, row.faq_id) if row.conversation_id else ("feedback", row.id)
        latest[key] = bool(row.helpful)
    yes = sum(1 for helpful in latest.values() if helpful)
    return FeedbackCounts(yes=yes, no=len(latest) - yes, not_counted=len(rows) - len(latest))


@dataclass
class SatisfactionCounts:
    """Visitors' answers to "Did you get the help you needed?", asked when a ticket is resolved."""

    yes: int
    no: int
    resolved: int  # tickets resolved in the period with a conversation: the visitors asked

    @property
    def answered(self) -> int:
        return self.yes + self.no


def satisfaction_counts(*, db_session: Session, since: datetime) -> SatisfactionCounts:
    """Answers given since `since`, one per ticket (the visitor's latest), and how many
    tickets with a conversation were resolved in the same period."""
    rows = db_session.execute(
        select(TicketEvent.ticket_id, TicketEvent.detail)
        .where(TicketEvent.kind == TicketEventKind.visitor_rated.value, TicketEvent.created_at >= since)
        .order_by(TicketEvent.id)
    ).all()
    latest = {row.ticket_id: bool((row.detail or {}).get("helped")) for row in rows}
    resolved = db_session.scalar(
        select(func.count(Ticket.id)).where(Ticket.resolved_at >= since, Ticket.conversation_id.isnot(None))
    )
    yes = sum(1 for helped in latest.values() if helped)
    return SatisfactionCounts(yes=yes, no=len(latest) - yes, resolved=resolved or 0)
