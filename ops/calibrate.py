"""Calibrate the FAQ answer decision on the visitors DEV set (never the test set).

    python -m ops.calibrate            # the frontier of answer rules, best first

Simulates what the FAQ search decides (bot.faq.service.decide) for the dev set's FAQ
questions, follow-ups (second turns, read against the first turn's entry) and the messages
that must be declined, with the real index over data/content/faq.yml. It does not run Rasa:
triage (a request for a person, the directory, out of scope) is measured end to end by
`python -m ops.visitors`. For each answer rule it prints the share of FAQ questions
answered right outright, the share of the answers given that were right, and the declined
messages that would get an answer, so the thresholds in bot/config.py can be chosen for
the reliability the product needs.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.content.loader import read_faq
from bot.faq.enums import SearchDecision
from bot.faq.search import Document, FaqIndex
from bot.faq.service import Thresholds, _rank_in_context, decide
from ops.visitors import DECLINE_KINDS, SETS

ROOT = Path(__file__).resolve().parent.parent


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


def observe(index: FaqIndex, case: Case) -> tuple[list, float, bool]:
    ranked, followup = _rank_in_context(index, case.text, 3, case.previous)
    uncovered = index.uncovered(case.text, ranked[0].entry_id) if ranked and not followup else 0.0
    return ranked, uncovered, followup


def tally(observed, rule: Thresholds) -> dict[str, float]:
    right = wrong = declined_answered = faq = follow_right = follow = 0
    for case, (ranked, uncovered, followup) in observed:
        answered = decide(ranked, rule, uncovered) is SearchDecision.answer
        is_right = answered and ranked[0].entry_id in case.expected
        if case.expected:
            faq += not followup
            follow += followup
            right += is_right and not followup
            follow_right += is_right and followup
        if answered and not is_right:
            wrong += 1
            declined_answered += not case.expected
    answers = sum(1 for case, (ranked, unc, _) in observed if decide(ranked, rule, unc) is SearchDecision.answer)
    return {
        "faq_right": right / faq if faq else 0.0,
        "follow_ups_right": follow_right / follow if follow else 0.0,
        "reliability": (answers - wrong) / answers if answers else 1.0,
        "declined_answered": declined_answered,
        "answers": answers,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-reliability", type=float, default=0.93)
    parser.add_argument("--suggest", type=float, default=None, help="suggest threshold (default: 1st percentile)")
    args = parser.parse_args(argv)
    entries = read_faq(ROOT / "data" / "content" / "faq.yml")
    index = FaqIndex([Document(e.id, (e.question, *e.alternatives), e.answer, e.topic.value) for e in entries])
    observed = [(case, observe(index, case)) for case in cases(SETS["dev"])]
    top_scores = np.array([r[0].score for c, (r, _, f) in observed if c.expected and not f and r])
    decline_scores = np.array([r[0].score if r else 0.0 for c, (r, _, _) in observed if not c.expected])
    top1 = np.mean([bool(r) and r[0].entry_id in c.expected for c, (r, _, f) in observed if c.expected and not f])
    print(f"dev: {len(top_scores)} FAQ questions, best entry first {top1:.3f}; {len(decline_scores)} to decline")
    print("FAQ top scores, percentiles 1/5/25/50:", np.percentile(top_scores, [1, 5, 25, 50]).round(3))
    print("decline top scores, percentiles 50/75/90/max:", np.percentile(decline_scores, [50, 75, 90, 100]).round(3))
    suggest = args.suggest if args.suggest is not None else float(np.percentile(top_scores, 1))
    rows = []
    for answer, margin, uncovered in itertools.product(
        np.arange(0.40, 1.20, 0.025), (0.0, 0.02, 0.04, 0.06, 0.08, 0.1), (0.5, 0.6, 0.7, 0.8, 1.0)
    ):
        rule = Thresholds(answer=round(answer, 3), suggest=suggest, margin=margin, uncovered=uncovered)
        rows.append((rule, tally(observed, rule)))
    good = [r for r in rows if r[1]["reliability"] >= args.min_reliability]
    good.sort(key=lambda r: (-(r[1]["faq_right"] + r[1]["follow_ups_right"] * 0.2), -r[1]["reliability"]))
    print(f"suggest at {suggest:.3f}; rules with reliability >= {args.min_reliability}:")
    for rule, t in good[:15]:
        print(
            f"  answer {rule.answer:.3f} margin {rule.margin:.2f} uncovered {rule.uncovered:.1f}: "
            f"FAQ right {t['faq_right']:.3f}, follow-ups {t['follow_ups_right']:.3f}, "
            f"reliability {t['reliability']:.3f} ({t['answers']} answers), declined answered {t['declined_answered']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
