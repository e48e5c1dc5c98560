"""How likely the best-ranked FAQ entry is the right answer: the answer decision.

A fixed score threshold cannot tell a right answer from a wrong one well: a long message
with a back story scores low on its right entry, and a question about something the FAQ
does not cover can score high on a neighbour. The decision weighs the evidence together,
with a logistic model fitted on the visitors dev set by `python -m ops.calibrate --write`
(docs/decisions/0011-answer-confidence.md): the fused score and its lead over the next
entry, how much of the question the entry leaves unmentioned, whether the meaning alone
(the closest phrasing, and the phrasing classifier) points at the same entry and how
surely, the message's length, and whether it is a follow-up.

The fitted weights live in `answer_model.json` beside this module; the assistant answers
outright when the probability reaches the deployment's `FAQ_ANSWER_CONFIDENCE`.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.faq.search import Candidate, FaqIndex

MODEL_FILE = Path(__file__).with_name("answer_model.json")

FEATURES = (
    "score",
    "lead",
    "uncovered_known",
    "uncovered_unknown",
    "classifier_probability",
    "classifier_best",
    "classifier_agrees",
    "cosine",
    "cosine_best",
    "cosine_agrees",
    "log_words",
    "follow_up",
)


def features(
    index: FaqIndex, query: str, ranked: list[Candidate], *, follow_up: bool, context: str | None = None
) -> list[float]:
    """The evidence for `ranked[0]` answering `query`, in the order of FEATURES. `context`:
    what a follow-up leans on (the previous question), read with it for its meaning."""
    if not ranked:
        return [0.0] * len(FEATURES)
    top = ranked[0]
    # A follow-up leans on the previous question: what it leaves unmentioned says nothing.
    missing_known, missing_unknown = (0.0, 0.0) if follow_up else index.uncovered_parts(query, top.entry_id)
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    cosine, probability = index.meaning_of(f"{context} {query}" if context else query)
    position = index.position(top.entry_id)
    own_cosine = float(cosine[position]) if position is not None else 0.0
    own_probability = float(probability[position]) if position is not None else 0.0
    return [
        top.score,
        top.score - runner_up,
        missing_known,
        missing_unknown,
        own_probability,
        float(probability.max()) if len(probability) else 0.0,
        float(position is not None and int(probability.argmax()) == position and probability.max() > 0),
        own_cosine,
        float(cosine.max()) if len(cosine) else 0.0,
        float(position is not None and int(cosine.argmax()) == position),
        math.log1p(len(query.split())),
        float(follow_up),
    ]


@dataclass(frozen=True)
class AnswerModel:
    coefficients: tuple[float, ...]
    intercept: float

    @classmethod
    def from_dict(cls, data: dict) -> AnswerModel:
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{MODEL_FILE.name} was fitted on other features; run python -m ops.calibrate --write")
        return cls(tuple(float(c) for c in data["coefficients"]), float(data["intercept"]))

    def probability(self, values: list[float]) -> float:
        z = self.intercept + float(np.dot(self.coefficients, values))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


@functools.cache
def fitted() -> AnswerModel:
    return AnswerModel.from_dict(json.loads(MODEL_FILE.read_text()))


def confidence(
    index: FaqIndex, query: str, ranked: list[Candidate], *, follow_up: bool, context: str | None = None
) -> float:
    """The probability that `ranked[0]` is the right answer to `query` (0 when nothing is ranked)."""
    if not ranked:
        return 0.0
    return fitted().probability(features(index, query, ranked, follow_up=follow_up, context=context))
