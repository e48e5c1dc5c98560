from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.orm import Session

from bot.api.deps import get_db, get_settings_dep
from bot.api.schemas import problems
from bot.chat import service as chat_service
from bot.config import Settings
from bot.faq import placeholders
from bot.faq import service as faq_service
from bot.faq.schemas import (
    FaqCandidate,
    FaqRead,
    FaqSearchRequest,
    FaqSearchResult,
    FeedbackCreate,
    FeedbackRecorded,
    SourceRead,
)

router = APIRouter(prefix="/faq", tags=["faq"])


@router.post("/search", response_model=FaqSearchResult, responses=problems(400, 413, 422))
def search_faq(
    search_in: FaqSearchRequest,
    db_session: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> FaqSearchResult:
    """Rank FAQ entries for a visitor's question and decide whether to answer."""
    outcome = faq_service.search(
        db_session=db_session,
        query=search_in.query,
        thresholds=faq_service.Thresholds.of(settings),
        limit=search_in.limit,
        conversation_id=_conversation_id(db_session, search_in.sender_id),
        previous_faq_id=search_in.previous_faq_id,
        classified_out_of_scope=search_in.classified_out_of_scope,
    )
    return FaqSearchResult(
        decision=outcome.decision,
        answer=_read(outcome.answer, settings) if outcome.answer else None,
        candidates=[
            FaqCandidate(id=e.id, question=e.question, topic=e.topic, score=score) for e, score in outcome.candidates
        ],
        related=[
            FaqCandidate(id=e.id, question=e.question, topic=e.topic, score=score) for e, score in outcome.related
        ],
        followup=outcome.followup,
    )


@router.get("/{faq_id}", response_model=FaqRead, responses=problems(404, 422))
def get_faq(
    faq_id: str, db_session: Session = Depends(get_db), settings: Settings = Depends(get_settings_dep)
) -> FaqRead:
    try:
        entry = faq_service.get_published_or_raise(db_session=db_session, faq_id=faq_id)
    except faq_service.FaqNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No published FAQ entry has the id '{faq_id}'.")
    return _read(entry, settings)


def _conversation_id(db_session: Session, sender_id: str | None) -> str | None:
    """The conversation a Rasa sender id belongs to (as for a ticket: chat_service.for_rasa_turn)."""
    if not sender_id:
        return None
    return chat_service.for_rasa_turn(db_session=db_session, sender_id=sender_id).id


def _read(entry, settings: Settings) -> FaqRead:
    """The entry as a visitor gets it: contact routes filled from the settings."""
    read = FaqRead.from_orm(entry)
    sources = [SourceRead(**s) for s in faq_service.visible_sources(entry)]
    return read.copy(update={"answer": placeholders.fill(read.answer, settings), "sources": sources})


@router.post(
    "/feedback",
    response_model=FeedbackRecorded,
    status_code=status.HTTP_201_CREATED,
    responses=problems(400, 404, 413, 422),
)
def record_feedback(feedback_in: FeedbackCreate, db_session: Session = Depends(get_db)) -> FeedbackRecorded:
    """Record a visitor's "did that answer your question?" reply."""
    try:
        feedback = faq_service.record_feedback(
            db_session=db_session,
            helpful=feedback_in.helpful,
            conversation_id=_conversation_id(db_session, feedback_in.sender_id),
            faq_id=feedback_in.faq_id,
        )
    except faq_service.FaqNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No FAQ entry has the id '{feedback_in.faq_id}'.")
    return FeedbackRecorded(id=feedback.id, helpful=feedback.helpful)
