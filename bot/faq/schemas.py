from __future__ import annotations

from datetime import date
from typing import List

from pydantic import Field, constr, validator

from bot.api.schemas import ApiModel, RequestModel
from bot.faq.enums import SearchDecision

QueryText = constr(strip_whitespace=True, min_length=1, max_length=500)


class SourceRead(ApiModel):
    title: str | None = Field(None, description="The page's title, where the content gives it.")
    url: str


class FaqRead(ApiModel):
    id: str
    question: str
    alternatives: List[str]
    answer: str
    topic: str
    source_url: str | None = Field(None, description="The main source (also the first of `sources`).")
    sources: List[SourceRead] = Field([], description="Every source the answer rests on, the main one first.")
    last_reviewed: date | None
    as_of: str | None = Field(
        None, description='For an answer about the past: when its facts were last known true ("2018", "2019-10").'
    )
    published: bool

    class Config:
        orm_mode = True

    @validator("sources", pre=True)
    def _none_is_empty(cls, value):
        return value or []


class FaqCandidate(ApiModel):
    id: str
    question: str
    topic: str
    score: float


class FaqSearchRequest(RequestModel):
    query: QueryText
    sender_id: constr(strip_whitespace=True, min_length=1, max_length=64) | None = Field(
        None, description="The Rasa sender id of the conversation asking (tracker.sender_id)."
    )
    limit: int = Field(3, ge=1, le=10)
    classified_out_of_scope: bool = Field(
        False, description="The intent classifier judged the message out of scope: answer only a clear match."
    )
    previous_faq_id: constr(strip_whitespace=True, min_length=1, max_length=120) | None = Field(
        None, description="The entry the visitor was last answered with: a short follow-up is read against it."
    )


class FaqSearchResult(ApiModel):
    decision: SearchDecision
    answer: FaqRead | None = Field(None, description="The entry to answer with, when the decision is 'answer'.")
    candidates: List[FaqCandidate]
    related: List[FaqCandidate] = Field([], description="Up to two related entries to offer after an answer.")
    followup: bool = Field(False, description="Whether the question was read against the previous answer.")


class FeedbackRecorded(ApiModel):
    id: int
    helpful: bool


class FeedbackCreate(RequestModel):
    sender_id: constr(strip_whitespace=True, min_length=1, max_length=64) | None = Field(
        None, description="The Rasa sender id of the conversation answering (tracker.sender_id)."
    )
    faq_id: constr(strip_whitespace=True, min_length=1, max_length=120) | None = None
    helpful: bool
