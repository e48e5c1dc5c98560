"""Fit and calibrate the FAQ answer decision on the visitors DEV set (never the test set).

    python -m ops.calibrate            # cross-validated figures of the answer model
    python -m ops.calibrate --write    # ...and write bot/faq/answer_model.json

Replays the dev set's FAQ questions, follow-ups (second turns, read against the first
turn's entry) and messages that must be declined through the real index over
data/content/faq.yml, and fits the answer model (bot/faq/confidence.py): a logistic
regression from the evidence about the best-ranked entry to whether it is right. The
probability cut is chosen on five-fold cross-validated predictions (each message judged
by a model that never saw it) for the reliability the product needs, and reported beside
the best plain score threshold for comparison. It does not run Rasa: triage (a request
for a person, the directory, out of scope) is measured end to end by `python -m ops.visitors`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.content.loader import read_faq
from bot.faq import confidence as answer_confidence
from bot.faq.search import Document, FaqIndex
from bot.faq.service import read
from ops.visitors import DECLINE_KINDS, SETS

ROOT = Path(__file__).resolve().parent.parent
REGULARISATION = 1.0
FOLDS = 5
SEED = 2026


@dataclass(frozen=True)
class Case:
    text: str
    expected: frozenset[str]  # empty: must be declined
    previous: str | None = None  # the entry answered before (a follow-up)


def cases(path: Path) -> list[Case]:
    found = []
    for item in yaml.safe_load(path.read_text())["items"]:
        turns = item.get("turns") or [item]
        if len(turns) == 1:
            turn = turns[0]
            if turn["kind"] == "faq":
                found.append(Case(turn["text"], frozenset(turn["faq_ids"])))
            elif turn["kind"] in DECLINE_KINDS:
                found.append(Case(turn["text"], frozenset()))
        else:
            first, second = turns[:2]
            if first["kind"] == "faq" and second["kind"] in ("faq", *DECLINE_KINDS):
                found.append(Case(second["text"], frozenset(second.get("faq_ids") or []), first["faq_ids"][0]))
    return found


@dataclass(frozen=True)
class Observed:
    case: Case
    features: list[float]
    top_score: float
    right: bool  # the best-ranked entry is an acceptable answer
    follow_up: bool


def observe(index: FaqIndex, case: Case) -> Observed:
    # Read as the assistant reads it (bot.faq.service.read): which reading of a message that
    # looks like a follow-up wins depends on the fitted model, so a refit is run twice.
    reading = read(index, case.text, limit=3, previous_faq_id=case.previous)
    ranked = reading.ranked
    right = bool(ranked) and ranked[0].entry_id in case.expected
    return Observed(case, reading.evidence, ranked[0].score if ranked else 0.0, right, reading.followup)


def outcomes(observed: Sequence[Observed], answered: np.ndarray) -> dict[str, float]:
    right = np.array([o.right for o in observed])
    faq = np.array([bool(o.case.expected) and o.case.previous is None for o in observed])
    follow = np.array([bool(o.case.expected) and o.case.previous is not None for o in observed])
    decline = np.array([not o.case.expected for o in observed])
    given = int(answered.sum())
    return {
        "faq_right": round(float((answered & right & faq).sum() / max(1, faq.sum())), 3),
        "follow_ups_right": round(float((answered & right & follow).sum() / max(1, follow.sum())), 3),
        "declined": round(float(1 - (answered & decline).sum() / max(1, decline.sum())), 3),
        "reliability": round(float((answered & right).sum() / given), 3) if given else 1.0,
        "answers": given,
    }


def best_cut(observed: Sequence[Observed], values: np.ndarray, reliability: float) -> tuple[float, dict] | None:
    """The cut on `values` that gives the most right answers (questions and follow-ups)
    while they are right at least `reliability` of the time."""
    best, most = None, -1
    right = np.array([o.right for o in observed])
    for cut in np.unique(values):
        answered = values >= cut
        result = outcomes(observed, answered)
        if result["reliability"] >= reliability and int((answered & right).sum()) > most:
            best, most = (float(cut), result), int((answered & right).sum())
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reliability", type=float, default=0.95, help="share of answers that must be right")
    parser.add_argument("--write", action="store_true", help="write bot/faq/answer_model.json")
    args = parser.parse_args(argv)
    entries = read_faq(ROOT / "data" / "content" / "faq.yml")
    index = FaqIndex([Document(e.id, (e.question, *e.alternatives), e.answer, e.topic.value) for e in entries])
    observed = [observe(index, case) for case in cases(SETS["dev"])]
    x = np.array([o.features for o in observed])
    y = np.array([o.right for o in observed], dtype=int)
    faq = [o for o in observed if o.case.expected and o.case.previous is None]
    print(
        f"dev set: {len(faq)} questions (best entry first {np.mean([o.right for o in faq]):.3f}), "
        f"{sum(o.case.previous is not None for o in observed)} second turns "
        f"({sum(o.follow_up for o in observed)} read as follow-ups), "
        f"{sum(not o.case.expected for o in observed)} to decline"
    )
    predicted = np.zeros(len(y))
    for train, held in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        model = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(x[train], y[train])
        predicted[held] = model.predict_proba(x[held])[:, 1]
    chosen = best_cut(observed, predicted, args.reliability)
    plain = best_cut(observed, np.array([o.top_score for o in observed]), args.reliability)
    if chosen is None:
        print(f"no cut reaches a reliability of {args.reliability}")
        return 1
    cut, figures = chosen
    print(f"answer model, {FOLDS}-fold cross-validated, cut {cut:.3f}: {figures}")
    if plain:
        print(f"best plain score threshold (in-sample, for comparison), {plain[0]:.3f}: {plain[1]}")
    model = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(x, y)
    fitted = {
        "features": list(answer_confidence.FEATURES),
        "coefficients": [round(float(c), 6) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "cut": round(cut, 3),
        "fitted_on": f"{SETS['dev'].relative_to(ROOT)}: {len(observed)} messages, {date.today().isoformat()}",
        "cross_validated": figures,
    }
    print(json.dumps(fitted, indent=2))
    if args.write:
        answer_confidence.MODEL_FILE.write_text(json.dumps(fitted, indent=2) + "\n")
        print(f"wrote {answer_confidence.MODEL_FILE.relative_to(ROOT)}; set faq_answer_confidence to {cut:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
