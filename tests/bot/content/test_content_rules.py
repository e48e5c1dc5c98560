"""The content check: every FAQ answer in data/content keeps the rules a citizen relies
on (bot/content/rules.py)."""

import pytest

from bot.content import loader, rules

FAQ = loader.read_faq(loader.DEFAULT_CONTENT_DIR / "faq.yml")


@pytest.mark.parametrize("entry", FAQ, ids=lambda e: e.id)
def test_every_answer_keeps_the_content_rules(entry):
    assert rules.problems(entry.answer) == []
    assert entry.source_url and entry.source_title


def test_answers_start_differently():
    """Each answer's opening identifies it (the transcript and the evaluation read it)."""
    openings = [" ".join(e.answer.split())[:60] for e in FAQ]
    assert len(set(openings)) == len(openings)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("Call the hotline on 0845 539 0543 today.", "phone number or email"),
        ("Email mutuals@example.gov.uk for help.", "phone number or email"),
        ("TUPE applies when staff move to a new employer.", "TUPE without explaining"),
        ("word " * 151, "longer than 150 words"),
        ("This sentence " + "goes on " * 12 + "far too long.", "sentence over 25 words"),
    ],
)
def test_the_rules_catch_what_they_should(answer, problem):
    assert any(problem in p for p in rules.problems(answer))


def test_a_good_answer_passes():
    answer = (
        "TUPE (the Transfer of Undertakings (Protection of Employment) Regulations) is likely to apply. "
        "Call the hotline on {hotline_number} ({office_hours})."
    )
    assert rules.problems(answer) == []
