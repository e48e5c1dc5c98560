import json

import pytest

from bot.config import Settings
from bot.faq import confidence
from bot.faq import service as faq_service


def test_the_fitted_model_matches_the_features_and_the_default_cut():
    data = json.loads(confidence.MODEL_FILE.read_text())
    assert tuple(data["features"]) == confidence.FEATURES
    assert len(data["coefficients"]) == len(confidence.FEATURES)
    # The deployment's default is the cut chosen with the model (python -m ops.calibrate).
    assert Settings(_env_file=None).faq_answer_confidence == round(data["cut"], 2)
    assert data["cross_validated"]["reliability"] >= 0.95


def test_sure_of_a_plain_question_and_unsure_of_an_unrelated_one(content_session):
    thresholds = faq_service.Thresholds.of(Settings(_env_file=None))

    def judged(text):
        return faq_service.judge_in_store(db_session=content_session, query=text, thresholds=thresholds)

    plain = judged("Will I keep my NHS pension if we spin out?")
    unrelated = judged("what does mutually assured destruction mean")
    assert plain.confidence > 0.9 > 0.5 > unrelated.confidence
    assert plain.decision.value == "answer"
    assert unrelated.decision.value != "answer"


def test_a_model_fitted_on_other_features_is_refused():
    data = json.loads(confidence.MODEL_FILE.read_text())
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="ops.calibrate"):
        confidence.AnswerModel.from_dict(data)
