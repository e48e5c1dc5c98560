import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.faq import service as faq_service
from bot.faq.enums import SearchDecision
from bot.faq.models import QuestionLog
from bot.faq.search import Candidate
from tests import factories

THRESHOLDS = faq_service.Thresholds(confidence=0.7, suggest=0.3)


@pytest.mark.parametrize(
    "scores, confidence, expected",
    [
        ([], 0.0, SearchDecision.none),
        ([0.2], 0.9, SearchDecision.none),  # too weak to offer, however sure
        ([0.35, 0.1], 0.5, SearchDecision.suggest),
        ([0.8, 0.3], 0.9, SearchDecision.answer),
        ([0.8, 0.78], 0.4, SearchDecision.suggest),  # two entries nearly tied: ask which
        ([0.5], 0.7, SearchDecision.answer),
    ],
)
def test_decide(scores, confidence, expected):
    candidates = [Candidate(f"e{i}", s) for i, s in enumerate(scores)]
    assert faq_service.decide(candidates, THRESHOLDS, confidence) is expected


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


def test_a_question_about_another_nation_is_not_answered_with_englands_facts(content_session):
    """The answer model weighs what the best entry leaves unmentioned ("in Wales" makes it
    less sure), and an entry that never mentions the nation asked about is only suggested."""
    thresholds = faq_service.Thresholds.of(Settings(_env_file=None))
    plain = faq_service.judge_in_store(
        db_session=content_session, query="How many public service mutuals are there?", thresholds=thresholds
    )
    wales = faq_service.judge_in_store(
        db_session=content_session, query="How many public service mutuals are there in Wales?", thresholds=thresholds
    )
    assert plain.ranked[0].entry_id == wales.ranked[0].entry_id == "how-many-public-service-mutuals-are-there"
    assert plain.decision is SearchDecision.answer
    assert wales.confidence < plain.confidence
    assert wales.decision is SearchDecision.suggest
    glasgow = faq_service.judge_in_store(
        db_session=content_session, query="Do reserved contracts apply in Glasgow?", thresholds=thresholds
    )
    assert glasgow.decision is not SearchDecision.answer


def test_a_follow_up_is_read_against_the_answer_before_and_a_new_question_on_its_own(content_session):
    thresholds = faq_service.Thresholds.of(Settings(_env_file=None))

    def judged(text, previous):
        return faq_service.judge_in_store(
            db_session=content_session, query=text, thresholds=thresholds, previous_faq_id=previous
        )

    # "it" points back: the support programme the visitor has just read about.
    pointing = judged("how many did it help?", "mutuals-support-programme")
    assert pointing.followup and pointing.ranked[0].entry_id == "mutuals-support-programme-results"
    assert pointing.decision is SearchDecision.answer
    # Starts like a follow-up ("how long") but names its own subject: a new question.
    new = judged("how long does spinning out take", "does-tupe-apply-to-a-spin-out")
    assert not new.followup and new.ranked[0].entry_id == "how-long-does-it-take-to-spin-out"
    assert new.decision is SearchDecision.answer
