"""The FAQ store: lookups, ranked search with a confidence decision, feedback."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.directory.places import places_outside_england
from bot.faq import confidence as answer_confidence
from bot.faq.enums import SearchDecision
from bot.faq.models import AnswerFeedback, FaqEntry, QuestionLog
from bot.faq.search import Candidate, Document, FaqIndex


class FaqNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Thresholds:
    """When to answer: the answer model's probability that the best entry is right
    (bot/faq/confidence.py) at least `confidence`. Below that, "did you mean" when the best
    entry scores at least `suggest`; otherwise no answer. Chosen on the visitors dev set
    with `python -m ops.calibrate` (docs/decisions/0011-answer-confidence.md)."""

    confidence: float
    suggest: float
    # A message the intent classifier judged out of scope is answered only at this score.
    out_of_scope: float = 10.0

    @classmethod
    def of(cls, settings) -> Thresholds:
        """The thresholds a deployment's settings (bot.config.Settings) ask for."""
        return cls(
            confidence=settings.faq_answer_confidence,
            suggest=settings.faq_suggest_threshold,
            out_of_scope=settings.faq_out_of_scope_threshold,
        )


@dataclass(frozen=True)
class Judgement:
    """The ranking for a question, how sure the best entry is right, and the decision."""

    ranked: list[Candidate]
    confidence: float
    decision: SearchDecision
    followup: bool = False


@dataclass(frozen=True)
class SearchOutcome:
    decision: SearchDecision
    answer: FaqEntry | None
    candidates: list[tuple[FaqEntry, float]]
    related: list[tuple[FaqEntry, float]] = field(default_factory=list)
    followup: bool = False


def get(*, db_session: Session, faq_id: str) -> FaqEntry | None:
    return db_session.get(FaqEntry, faq_id)


def get_published_or_raise(*, db_session: Session, faq_id: str) -> FaqEntry:
    entry = get(db_session=db_session, faq_id=faq_id)
    if entry is None or not entry.published:
        raise FaqNotFound(faq_id)
    return entry


def report_source_gone(*, entry: FaqEntry, url: str, today: date | None = None) -> bool:
    """Staff found that one of the entry's sources is gone (removed or moved): visitors no
    longer see it, and the entry is due for review. False when `url` is not a source."""
    sources = [dict(s) for s in entry.sources or []]
    found = [s for s in sources if s.get("url") == url]
    if not found:
        return False
    for source in found:
        source.setdefault("gone_on", (today or date.today()).isoformat())
    entry.sources = sources  # a new list, so the JSON column sees the change
    entry.source_gone = True
    return True


def mark_reviewed(*, entry: FaqEntry, today: date | None = None) -> None:
    """A person checked every claim against the sources today: the sources are as they found
    them, so reports of a gone source are settled."""
    entry.last_reviewed = today or date.today()
    entry.sources = [{k: v for k, v in s.items() if k != "gone_on"} for s in entry.sources or []]
    entry.source_gone = False


def keep_gone_reports(old: list[dict] | None, new: list[dict]) -> tuple[list[dict], bool]:
    """An edit's sources, keeping the report on a gone source that is still listed."""
    gone = {s["url"]: s["gone_on"] for s in old or [] if s.get("gone_on")}
    kept = [{**s, "gone_on": gone[s["url"]]} if s["url"] in gone else s for s in new]
    return kept, any(s.get("gone_on") for s in kept)


def visible_sources(entry: FaqEntry) -> list[dict]:
    """The sources a visitor is shown: every one not reported gone."""
    listed = entry.sources or ([{"title": None, "url": entry.source_url}] if entry.source_url else [])
    return [{"title": s.get("title"), "url": s["url"]} for s in listed if not s.get("gone_on")]


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
                    [Document(e.id, (e.question, *(e.alternatives or [])), e.answer, e.topic) for e in entries]
                )
                self._fingerprint = fingerprint
            return self._index


_index_cache = _IndexCache()


def rank(*, db_session: Session, query: str, limit: int = 3) -> list[Candidate]:
    return _index_cache.get(db_session).search(query, limit=limit)


# A short message that leans on the answer before it: "and for council staff?", "how long
# does that take?", "is that still running?".
_FOLLOW_UP_START = re.compile(
    r"^\W*(?:and|but|so|also|then|what about|how about|what if|same|ok so|okay so|and what about|"
    r"(?:is|does|do|did|can|could|will|would|are|was|were) (?:that|this|it|they|those|these|there)|"
    r"how long|how much|who pays|who runs|who decides|when does|where does|why)\b",
    re.IGNORECASE,
)
_POINTING = frozenset({"that", "this", "it", "they", "them", "those", "these", "there", "then", "such", "same", "its"})
FOLLOW_UP_MAX_WORDS = 12
# A follow-up is read with the previous answer's question for its meaning ("is that still
# running?" after "What was the NHS Right to Request?"), and its scores for entries in the
# previous answer's topic are raised by this share (calibrated on the dev set's dialogues).
FOLLOW_UP_TOPIC_BOOST = 0.2
# ...and the previous answer's own score is lowered by this share: a visitor who asks on
# usually wants the next thing, not the answer they have just read (on the dev set's
# dialogues, 20 of 23 ranked right against 17 without it).
FOLLOW_UP_REPEAT_PENALTY = 0.1


def looks_like_follow_up(query: str) -> bool:
    words = re.findall(r"[a-z']+", query.lower())
    if not words or len(words) > FOLLOW_UP_MAX_WORDS:
        return False
    return bool(_FOLLOW_UP_START.match(query)) or _points_back(words)


def _points_back(words: list[str]) -> bool:
    """A word that can only be read with the answer before ("is *that* still running?")."""
    return any(w in _POINTING for w in words)


@dataclass(frozen=True)
class Reading:
    """One way of reading a message: its ranking, the answer model's evidence about the best
    entry, and how sure the model is that it is right."""

    ranked: list[Candidate]
    evidence: list[float]
    confidence: float
    followup: bool


def _reading(index: FaqIndex, query: str, ranked: list[Candidate], *, followup: bool, context: str | None) -> Reading:
    evidence = answer_confidence.features(index, query, ranked, follow_up=followup, context=context)
    sure = answer_confidence.fitted().probability(evidence) if ranked else 0.0
    return Reading(ranked, evidence, sure, followup)


def read(index: FaqIndex, query: str, *, limit: int = 3, previous_faq_id: str | None = None) -> Reading:
    """How to read `query`: against the previous answer when it points back to it ("does
    *it* include libraries?"); when it only starts like a follow-up ("and for council
    staff?", "how long does spinning out take"), on its own or against the previous answer,
    whichever reading the answer model is surer of, so a new question asked straight after
    an answer about TUPE is answered as the new question it is."""
    alone = _reading(index, query, index.top(index.focused_scores(query), limit), followup=False, context=None)
    if not previous_faq_id or not looks_like_follow_up(query):
        return alone
    context = index.question_of(previous_faq_id)
    scores = index.scores(query, context=context)
    if scores is None:
        return alone
    boosted = scores * (1.0 + FOLLOW_UP_TOPIC_BOOST * index.same_topic(previous_faq_id))
    boosted = boosted * (1.0 - FOLLOW_UP_REPEAT_PENALTY * index.is_entry(previous_faq_id))
    leaning = _reading(index, query, index.top(boosted, limit), followup=True, context=context)
    if _points_back(re.findall(r"[a-z']+", query.lower())):
        return leaning
    return leaning if leaning.confidence >= alone.confidence else alone


def decide(candidates: list[Candidate], thresholds: Thresholds, confidence: float) -> SearchDecision:
    """`confidence`: the answer model's probability that the best entry is right."""
    if not candidates or candidates[0].score < thresholds.suggest:
        return SearchDecision.none
    if confidence >= thresholds.confidence:
        return SearchDecision.answer
    return SearchDecision.suggest


def judge(
    index: FaqIndex,
    query: str,
    thresholds: Thresholds,
    *,
    limit: int = 3,
    previous_faq_id: str | None = None,
    classified_out_of_scope: bool = False,
) -> Judgement:
    """Rank `query`, weigh how sure the best entry is, and decide: the assistant's whole
    answer decision (search() adds the store's entries and the log)."""
    reading = read(index, query, limit=max(limit, 3), previous_faq_id=previous_faq_id)
    ranked, sure, followup = reading.ranked, reading.confidence, reading.followup
    decision = decide(ranked, thresholds, sure)
    if decision is SearchDecision.answer and _about_elsewhere(index, query, ranked[0].entry_id):
        decision = SearchDecision.suggest
    if classified_out_of_scope and (decision is not SearchDecision.answer or ranked[0].score < thresholds.out_of_scope):
        # The classifier's "out of scope" stands unless the store has a clear answer.
        decision = SearchDecision.none
    return Judgement(ranked=ranked, confidence=sure, decision=decision, followup=followup)


def _about_elsewhere(index: FaqIndex, query: str, entry_id: str) -> bool:
    """The question names a nation outside England (or a place in one) that the entry never
    mentions: "how many mutuals are there in Wales?" is not answered by England's count."""
    nations = {nation for _, nation in places_outside_england(query)}
    return bool(nations) and not any(index.mentions(entry_id, nation) for nation in nations)


def judge_in_store(
    *, db_session: Session, query: str, thresholds: Thresholds, limit: int = 3, previous_faq_id: str | None = None
) -> Judgement:
    """`judge` over the store's current index (for measurements: nothing is logged)."""
    return judge(_index_cache.get(db_session), query, thresholds, limit=limit, previous_faq_id=previous_faq_id)


# Related entries offered after an answer: up to this many, scoring at least `suggest`.
MAX_RELATED = 2


def search(
    *,
    db_session: Session,
    query: str,
    thresholds: Thresholds,
    limit: int = 3,
    conversation_id: str | None = None,
    previous_faq_id: str | None = None,
    classified_out_of_scope: bool = False,
) -> SearchOutcome:
    index = _index_cache.get(db_session)  # one read of the store's fingerprint per search
    judgement = judge(
        index,
        query,
        thresholds,
        limit=limit,
        previous_faq_id=previous_faq_id,
        classified_out_of_scope=classified_out_of_scope,
    )
    ranked, decision, followup = judgement.ranked, judgement.decision, judgement.followup
    entries = {e.id: e for e in _entries(db_session, [c.entry_id for c in ranked])}
    candidates = [
        (entries[c.entry_id], c.score) for c in ranked if c.entry_id in entries and c.score >= thresholds.suggest * 0.75
    ][:limit]
    answer = entries.get(ranked[0].entry_id) if decision is SearchDecision.answer else None
    related = []
    if answer is not None:
        related = [
            (entries[c.entry_id], c.score)
            for c in ranked[1:]
            if c.entry_id in entries and c.score >= thresholds.suggest and entries[c.entry_id].published
        ][:MAX_RELATED]
    db_session.add(
        QuestionLog(
            conversation_id=conversation_id,
            text=query,
            decision=decision.value,
            top_faq_id=ranked[0].entry_id if ranked else None,
            top_score=ranked[0].score if ranked else None,
        )
    )
    return SearchOutcome(decision=decision, answer=answer, candidates=candidates, related=related, followup=followup)


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
