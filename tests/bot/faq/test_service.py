import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.faq import service as faq_service
from bot.faq.enums import SearchDecision
from bot.faq.models import QuestionLog
from bot.faq.search import Candidate
from tests import factories

THRESHOLDS = faq_service.Thresholds(answer=0.5, suggest=0.3, margin=0.04)


@pytest.mark.parametrize(
    "scores, expected",
    [
        ([], SearchDecision.none),
        ([0.2], SearchDecision.none),
        ([0.35, 0.1], SearchDecision.suggest),
        ([0.8, 0.3], SearchDecision.answer),
        ([0.8, 0.78], SearchDecision.suggest),  # two entries nearly tied: ask which
        ([0.5], SearchDecision.answer),
    ],
)
def test_decide(scores, expected):
    candidates = [Candidate(f"e{i}", s) for i, s in enumerate(scores)]
    assert faq_service.decide(candidates, THRESHOLDS) is expected


def test_search_answers_and_logs_the_question(db_session):
    factories.faq_entry(db_session, id="tupe", question="Does TUPE apply?", alternatives=["tupe transfer rules"])
    factories.faq_entry(db_session, id="pension", question="Will I keep my pension?", alternatives=["pension scheme"])
    outcome = faq_service.search(
        db_session=db_session, query="does tupe apply to us", thresholds=THRESHOLDS, conversation_id="c1"
    )
    assert outcome.decision is SearchDecision.answer
    assert outcome.answer.id == "tupe"
    log = db_session.scalars(select(QuestionLog)).one()
    assert (log.conversation_id, log.decision, log.top_faq_id) == ("c1", "answer", "tupe")


def test_an_edit_is_used_by_the_next_search_without_a_restart(db_session):
    entry = factories.faq_entry(db_session, id="hotline", question="What is the hotline number?")
    assert faq_service.rank(db_session=db_session, query="hotline number")[0].entry_id == "hotline"
    entry.question = "How do I reach the team by phone?"
    entry.alternatives = ["telephone the team"]
    factories.faq_entry(db_session, id="other", question="What is the hotline number for callbacks?")
    db_session.flush()
    assert faq_service.rank(db_session=db_session, query="hotline number for callbacks")[0].entry_id == "other"


def test_unpublished_entries_are_not_found(db_session):
    factories.faq_entry(db_session, id="draft", question="Draft about pensions", published=False)
    assert faq_service.rank(db_session=db_session, query="draft pensions") == []
    with pytest.raises(faq_service.FaqNotFound):
        faq_service.get_published_or_raise(db_session=db_session, faq_id="draft")


def test_feedback_for_an_unknown_entry_is_refused(db_session):
    with pytest.raises(faq_service.FaqNotFound):
        faq_service.record_feedback(db_session=db_session, helpful=True, conversation_id="c", faq_id="nope")
    assert faq_service.record_feedback(db_session=db_session, helpful=False, conversation_id="c", faq_id=None).id


def test_an_entry_that_leaves_most_of_the_question_unmentioned_is_only_suggested():
    limited = faq_service.Thresholds(answer=0.5, suggest=0.3, margin=0.04, uncovered=0.5)
    assert faq_service.decide([Candidate("a", 0.8)], limited, uncovered=0.4) is SearchDecision.answer
    assert faq_service.decide([Candidate("a", 0.8)], limited, uncovered=0.6) is SearchDecision.suggest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("and for council staff?", True),
        ("how long does that take?", True),
        ("is it still running", True),
        ("What legal forms can a mutual use?", False),
        ("and " + "word " * 20, False),
    ],
)
def test_what_looks_like_a_follow_up(text, expected):
    assert faq_service.looks_like_follow_up(text) is expected


def test_a_follow_up_is_read_against_the_previous_answer(content_session):
    thresholds = faq_service.Thresholds.of(Settings(_env_file=None))
    previous = "will-i-keep-my-public-sector-pension"
    outcome = faq_service.search(
        db_session=content_session, query="and for council staff?", thresholds=thresholds, previous_faq_id=previous
    )
    assert outcome.followup is True
    assert outcome.candidates[0][0].id == "local-authority-staff-pensions"
    alone = faq_service.search(db_session=content_session, query="and for council staff?", thresholds=thresholds)
    assert alone.followup is False


def test_an_answer_comes_with_related_entries(content_session):
    thresholds = faq_service.Thresholds.of(Settings(_env_file=None))
    outcome = faq_service.search(
        db_session=content_session, query="What is a community interest company?", thresholds=thresholds
    )
    assert outcome.answer.id == "what-is-a-community-interest-company"
    assert 1 <= len(outcome.related) <= faq_service.MAX_RELATED
    assert outcome.answer.id not in [entry.id for entry, _ in outcome.related]


def test_a_message_judged_out_of_scope_needs_a_clear_answer(content_session):
    thresholds = faq_service.Thresholds.of(Settings(_env_file=None))
    answered = faq_service.search(
        db_session=content_session,
        query="What is a community interest company?",
        thresholds=thresholds,
        classified_out_of_scope=True,
    )
    assert answered.decision is SearchDecision.answer
    declined = faq_service.search(
        db_session=content_session,
        query="is a mutual fund a good investment",
        thresholds=thresholds,
        classified_out_of_scope=True,
    )
    assert declined.decision is SearchDecision.none and declined.answer is None
