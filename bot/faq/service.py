"""The FAQ store: lookups, ranked search with a confidence decision, feedback."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.faq.enums import SearchDecision
from bot.faq.models import AnswerFeedback, FaqEntry, QuestionLog
from bot.faq.search import Candidate, Document, FaqIndex


class FaqNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Thresholds:
    answer: float
    suggest: float
    margin: float


@dataclass(frozen=True)
class SearchOutcome:
    decision: SearchDecision
    answer: FaqEntry | None
    candidates: list[tuple[FaqEntry, float]]


def get(*, db_session: Session, faq_id: str) -> FaqEntry | None:
    return db_session.get(FaqEntry, faq_id)


def get_published_or_raise(*, db_session: Session, faq_id: str) -> FaqEntry:
    entry = get(db_session=db_session, faq_id=faq_id)
    if entry is None or not entry.published:
        raise FaqNotFound(faq_id)
    return entry


def list_published(*, db_session: Session) -> list[FaqEntry]:
    return list(db_session.scalars(select(FaqEntry).where(FaqEntry.published.is_(True)).order_by(FaqEntry.id)))


class _IndexCache:
    """The search index, rebuilt when the store's FAQ content changes.

    The fingerprint is cheap to read on every search, so an edit made through any web
    instance (or the content loader) is used by the next answer without a restart.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fingerprint: tuple | None = None
        self._index: FaqIndex | None = None

    def get(self, db_session: Session) -> FaqIndex:
        fingerprint = tuple(
            db_session.execute(
                select(func.count(FaqEntry.id), func.max(FaqEntry.updated_at)).where(FaqEntry.published.is_(True))
            ).one()
        )
        with self._lock:
            if self._index is None or fingerprint != self._fingerprint:
                entries = list_published(db_session=db_session)
                self._index = FaqIndex(
                    [Document(e.id, (e.question, *(e.alternatives or [])), e.answer) for e in entries]
                )
                self._fingerprint = fingerprint
            return self._index


_index_cache = _IndexCache()


def rank(*, db_session: Session, query: str, limit: int = 3) -> list[Candidate]:
    return _index_cache.get(db_session).search(query, limit=limit)


def decide(candidates: list[Candidate], thresholds: Thresholds) -> SearchDecision:
    if not candidates or candidates[0].score < thresholds.suggest:
        return SearchDecision.none
    top = candidates[0].score
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if top >= thresholds.answer and top - runner_up >= thresholds.margin:
        return SearchDecision.answer
    return SearchDecision.suggest


def search(
    *,
    db_session: Session,
    query: str,
    thresholds: Thresholds,
    limit: int = 3,
    conversation_id: str | None = None,
) -> SearchOutcome:
    ranked = rank(db_session=db_session, query=query, limit=max(limit, 3))
    decision = decide(ranked, thresholds)
    entries = {e.id: e for e in _entries(db_session, [c.entry_id for c in ranked])}
    candidates = [
        (entries[c.entry_id], c.score) for c in ranked if c.entry_id in entries and c.score >= thresholds.suggest * 0.75
    ][:limit]
    answer = entries.get(ranked[0].entry_id) if decision is SearchDecision.answer else None
    db_session.add(
        QuestionLog(
            conversation_id=conversation_id,
            text=query,
            decision=decision.value,
            top_faq_id=ranked[0].entry_id if ranked else None,
            top_score=ranked[0].score if ranked else None,
        )
    )
    return SearchOutcome(decision=decision, answer=answer, candidates=candidates)


def _entries(db_session: Session, ids: list[str]) -> list[FaqEntry]:
    if not ids:
        return []
    return list(db_session.scalars(select(FaqEntry).where(FaqEntry.id.in_(ids))))


def record_feedback(
    *, db_session: Session, helpful: bool, conversation_id: str | None, faq_id: str | None
) -> AnswerFeedback:
    if faq_id is not None and get(db_session=db_session, faq_id=faq_id) is None:
        raise FaqNotFound(faq_id)
    feedback = AnswerFeedback(conversation_id=conversation_id, faq_id=faq_id, helpful=helpful)
    db_session.add(feedback)
    db_session.flush()
    return feedback
