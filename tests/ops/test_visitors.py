"""Grading what visitors get (ops/visitors.py), and the realistic sets' integrity. No
stack is started here: `make eval` sends the sets through the gateway."""

import json
import re
from collections import Counter

import pytest
import yaml

from ops import visitors
from ops.visitors import Reply, grade, see

PREFIXES = {"what-is-a-cic": "A community interest company is a company for the community.", "tupe": "TUPE is"}


def intro(name: str) -> dict:
    return {
        "title": f"Ask for an introduction to {name}",
        "payload": "/request_introduction" + json.dumps({"ambassador_name": name}),
    }


def test_an_answer_is_recognised_by_its_entry():
    seen = see([Reply("A community interest company is a company for the community. Source: x")], PREFIXES)
    assert seen.answered == ["what-is-a-cic"]
    assert grade({"kind": "faq", "faq_ids": ["what-is-a-cic", "other"]}, seen)
    assert not grade({"kind": "faq", "faq_ids": ["tupe"]}, seen)
    assert not grade({"kind": "out_of_scope"}, seen)


def test_did_you_mean_is_not_an_answer():
    buttons = ({"title": "What is a CIC?", "payload": '/ask_faq{"faq_id": "what-is-a-cic"}'},)
    seen = see([Reply("I'm not sure I understood. Did you mean one of these?", buttons)], PREFIXES)
    assert seen.answered == [] and seen.suggested == ["What is a CIC?"]
    assert not grade({"kind": "faq", "faq_ids": ["what-is-a-cic"]}, seen)
    assert grade({"kind": "no_answer"}, seen)


def test_the_handoff_is_recognised():
    seen = see([Reply("I'll pass you to the hotline team. I need a few details."), Reply("What is your name?")], {})
    assert grade({"kind": "handoff"}, seen) and grade({"kind": "introduction"}, seen)
    assert not grade({"kind": "handoff"}, see([Reply("Sorry, I could not find an answer to that.")], {}))


def test_ambassadors_must_include_the_expected_and_not_everybody():
    two = see([Reply("I found 2 ambassadors", (intro("Doug Cresswell"), intro("Scott Darraugh")))], {})
    assert grade({"kind": "ambassadors", "names": ["Doug Cresswell"]}, two)
    assert grade({"kind": "ambassadors", "names": ["Doug Cresswell", "Scott Darraugh"]}, two)
    everyone = see([Reply("These are in the directory:", tuple(intro(n) for n in "ABCDE"))], {})
    assert not grade({"kind": "ambassadors", "names": ["A"]}, everyone)
    assert not grade({"kind": "no_ambassador"}, everyone)


def test_an_ambassador_card_counts_without_an_introduction_button():
    """An ambassador not confirmed as still mentoring is shown without an introduction
    button, with the hotline team offered instead: still the ambassador the visitor asked for."""
    offer = ({"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"})
    replies = [
        Reply("I found 1 ambassador in health"),
        Reply("Andrew Burnell – Chief Executive, City Health Care Partnership\nSectors: Health"),
        Reply("The hotline team has not confirmed recently that Andrew Burnell still mentors...", offer),
    ]
    seen = see(replies, {}, names={"Andrew Burnell", "Doug Cresswell"})
    assert seen.ambassadors == ["Andrew Burnell"]
    assert grade({"kind": "ambassadors", "names": ["Andrew Burnell"]}, seen)
    assert not grade({"kind": "no_ambassador"}, seen)
    assert see(replies, {}).ambassadors == []  # only the directory's names count


def test_nobody_matching_needs_the_hotline_offered():
    offer = ({"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"})
    seen = see(
        [Reply("The directory lists ambassadors who work in England, and none is listed in Belfast.", offer)], {}
    )
    assert seen.no_ambassador and grade({"kind": "no_ambassador"}, seen)
    assert not grade({"kind": "no_ambassador"}, see([Reply("none is listed in Belfast.")], {}))


def test_contact_details_refused():
    text = "Ambassadors' own email addresses, phone numbers and addresses are not shared here: they are kept private."
    assert grade({"kind": "ambassador_contact"}, see([Reply(text)], {}))
    listing = "Their contact details are not shared here: the hotline team makes introductions."
    assert not grade({"kind": "ambassador_contact"}, see([Reply(listing)], {}))


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        grade({"kind": "chitchat"}, see([], {}))


def test_figures_per_kind_follow_ups_and_reliability():
    def turn(kind, right, answered=()):
        return {"kind": kind, "right": right, "answered": list(answered), "seconds": 0.1}

    outcomes = [
        {"id": "1", "turns": [turn("faq", True, ["a"])]},
        {"id": "2", "turns": [turn("faq", False, ["b"])]},
        {"id": "3", "turns": [turn("handoff", True)]},
        {"id": "4", "turns": [turn("out_of_scope", False, ["c"])]},
        {"id": "5", "turns": [turn("faq", True, ["a"]), turn("faq", False)]},
    ]
    result = visitors.figures(outcomes)
    assert result["faq_right"] == {"value": 0.5, "right": 1, "n": 2}
    assert result["handoff_started"]["value"] == 1.0
    assert result["declined"]["value"] == 0.0
    assert result["follow_ups_right"] == {"value": 0.0, "right": 0, "n": 1}
    # Answers given: 1 (right), 2 (wrong), 4 (wrong, out of scope); the dialogue's first
    # turn is not a first reply of its own and is not counted.
    assert result["answer_reliability"] == {"value": 0.333, "right": 1, "n": 3}
    assert [m["id"] for m in result["misses"]] == ["2", "4", "5"]


@pytest.fixture(scope="module")
def faq_ids():
    return {e["id"] for e in yaml.safe_load(visitors.ROOT.joinpath("data/content/faq.yml").read_text())["entries"]}


@pytest.fixture(scope="module")
def ambassador_names():
    path = visitors.ROOT / "data/content/ambassadors.yml"
    return {a["name"] for a in yaml.safe_load(path.read_text())["ambassadors"]}


@pytest.mark.parametrize("name", ["dev", "test"])
def test_the_sets_are_labelled_with_real_content(name, faq_ids, ambassador_names):
    items = visitors.load(visitors.SETS[name])
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        for t in visitors.turns_of(item):
            if t["kind"] == "faq":
                assert t["faq_ids"] and set(t["faq_ids"]) <= faq_ids, item["id"]
            if t["kind"] == "ambassadors":
                assert t["names"] and set(t["names"]) <= ambassador_names, item["id"]


def test_the_frozen_test_set_is_large_enough_and_apart_from_dev():
    dev, test = (visitors.load(visitors.SETS[name]) for name in ("dev", "test"))
    assert len(test) >= 400
    assert sum(bool(i.get("turns")) for i in test) >= 40
    kinds = Counter(t["kind"] for i in test for t in visitors.turns_of(i))
    assert set(kinds) == set(visitors.KINDS)

    def texts(items):  # a short follow-up such as "and for council staff?" can be written twice
        return {t["text"] for i in items for t in visitors.turns_of(i) if len(t["text"].split()) >= 6}

    assert not texts(dev) & texts(test)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower()))


def test_no_visitor_message_is_copied_into_the_training_data_or_the_faq():
    """Nothing in data/ is a visitor message, or a near copy of one (four words in five the
    same). The writers, who never saw data/, wrote a few plain questions that data/ already
    had word for word; those coincidences are listed, and nothing else may be."""
    lines = [
        line.strip().lstrip("- ").strip("\"'")
        for path in visitors.ROOT.joinpath("data").rglob("*.yml")
        for line in path.read_text().splitlines()
    ]
    phrasings = [_words(line) for line in lines if len(line.split()) >= 4]
    copied = []
    for name in ("dev", "test"):
        for item in visitors.load(visitors.SETS[name]):
            for t in visitors.turns_of(item):
                words = _words(t["text"])
                if len(words) < 8:
                    continue
                if any(len(words & p) / len(words | p) >= 0.8 for p in phrasings):
                    copied.append(item["id"])
    assert set(copied) <= WRITTEN_BEFORE_THE_SETS, sorted(set(copied) - WRITTEN_BEFORE_THE_SETS)


# Visitor messages that match a phrasing data/ had before the sets were written (commit
# 68aade4): independent coincidences of plain wording, not copies.
WRITTEN_BEFORE_THE_SETS = {"b-249", "b-308", "b-194", "a-360", "a-330", "b-362", "a-101"}
