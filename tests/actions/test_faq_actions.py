import json
import time

import pytest

from actions.faq import (
    ActionAnswerFaq,
    ActionAnswerOrAcknowledge,
    ActionAnswerOrDecline,
    ActionDeclineHandoff,
    ActionOfferHandoff,
    ActionRecordFeedback,
)
from tests.actions.conftest import HOTLINE, run, tracker

ENTRY = {
    "id": "what-is-a-cic",
    "question": "What is a CIC?",
    "alternatives": [],
    "answer": "A community interest company is a company for the community.",
    "topic": "legal-forms",
    "source_url": "https://www.gov.uk/cic",
    "last_reviewed": "2026-11-26",
    "published": True,
}


def test_confident_answer_with_source_and_feedback_buttons(fake_api):
    fake_api.on("POST", "/api/faq/search", {"decision": "answer", "answer": ENTRY, "candidates": []})
    messages, slots, _ = run(ActionAnswerFaq(), tracker(text="what's a cic", intent="ask_faq"))
    assert messages[0]["text"].startswith("A community interest company")
    assert "Source: https://www.gov.uk/cic" in messages[0]["text"]
    assert messages[1]["text"] == "Did that answer your question?"
    assert [b["payload"] for b in messages[1]["buttons"]] == ["/confirm_answer_helpful", "/report_answer_unhelpful"]
    assert slots["last_faq_id"] == "what-is-a-cic" and slots["failed_attempts"] == 0
    request = fake_api.requests[0]
    assert request["json"] == {"query": "what's a cic", "sender_id": "conv-test", "limit": 3}
    assert request["auth"] == "Bearer fake-token"


def test_every_source_is_shown_with_its_title(fake_api):
    sources = [
        {"title": "GOV.UK: Community interest companies", "url": "https://www.gov.uk/cic"},
        {"title": None, "url": "https://example.org/asset-lock"},
    ]
    fake_api.on(
        "POST", "/api/faq/search", {"decision": "answer", "answer": {**ENTRY, "sources": sources}, "candidates": []}
    )
    messages, _, _ = run(ActionAnswerFaq(), tracker(text="what's a cic", intent="ask_faq"))
    assert messages[0]["text"].splitlines()[-2:] == [
        "Source: GOV.UK: Community interest companies, https://www.gov.uk/cic",
        "Source: https://example.org/asset-lock",
    ]


def test_unsure_offers_did_you_mean_buttons(fake_api):
    candidates = [
        {"id": "a", "question": "Question A?", "topic": "t", "score": 0.4},
        {"id": "b", "question": "Question B?", "topic": "t", "score": 0.35},
    ]
    fake_api.on("POST", "/api/faq/search", {"decision": "suggest", "answer": None, "candidates": candidates})
    messages, _, _ = run(ActionAnswerFaq(), tracker(text="something vague", intent="ask_faq"))
    assert messages[0]["text"].startswith("I'm not sure")
    buttons = messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["Question A?", "Question B?", "None of these"]
    assert buttons[0]["payload"] == "/ask_faq" + json.dumps({"faq_id": "a"})
    assert buttons[-1]["payload"] == "/reject_suggestions"


def test_a_chosen_suggestion_is_answered_by_id(fake_api):
    fake_api.on("GET", "/api/faq/what-is-a-cic", ENTRY)
    messages, slots, _ = run(
        ActionAnswerFaq(),
        tracker(text='/ask_faq{"faq_id":"what-is-a-cic"}', intent="ask_faq", slots={"faq_id": "what-is-a-cic"}),
    )
    assert "community interest company" in messages[0]["text"]
    assert slots["faq_id"] is None  # cleared so the next question is searched afresh


def test_first_failure_asks_to_rephrase_second_offers_the_hotline(fake_api):
    fake_api.on("POST", "/api/faq/search", {"decision": "none", "answer": None, "candidates": []})
    messages, slots, _ = run(ActionAnswerFaq(), tracker(text="blah", intent="ask_faq"))
    assert "different way" in messages[0]["text"]
    assert slots["failed_attempts"] == 1 and slots["handoff_offered"] is False
    messages, slots, _ = run(
        ActionAnswerFaq(), tracker(text="blah blah", intent="ask_faq", slots={"failed_attempts": 1})
    )
    assert "hotline team" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert slots["handoff_offered"] is True and slots["handoff_reason"] == "bot_could_not_answer"


def test_api_down_gives_a_plain_apology_with_the_hotline(api_down):
    messages, _, _ = run(ActionAnswerFaq(), tracker(text="what is a cic", intent="ask_faq"))
    assert len(messages) == 1
    assert HOTLINE in messages[0]["text"] and "Sorry" in messages[0]["text"]


def test_api_timeout_gives_the_apology_within_the_timeout(fake_api):
    fake_api.on("POST", "/api/faq/search", {"decision": "none", "candidates": []}, delay=3)
    started = time.monotonic()
    messages, _, _ = run(ActionAnswerFaq(), tracker(text="what is a cic", intent="ask_faq"))
    assert time.monotonic() - started < 2.5  # the client's timeout is 1 s here
    assert HOTLINE in messages[0]["text"]


def test_api_error_status_gives_the_apology(fake_api):
    fake_api.on("POST", "/api/faq/search", {"detail": "boom"}, status=500)
    messages, _, _ = run(ActionAnswerFaq(), tracker(text="what is a cic", intent="ask_faq"))
    assert HOTLINE in messages[0]["text"]


def test_helpful_feedback_is_recorded(fake_api):
    fake_api.on("POST", "/api/faq/feedback", {"id": 1, "helpful": True}, status=201)
    messages, slots, _ = run(
        ActionRecordFeedback(), tracker(intent="confirm_answer_helpful", slots={"last_faq_id": "x"})
    )
    assert fake_api.requests[0]["json"] == {"sender_id": "conv-test", "faq_id": "x", "helpful": True}
    assert messages[0]["text"].startswith("Good.")
    assert slots["failed_attempts"] == 0


def test_unhelpful_twice_offers_the_hotline_even_if_feedback_cannot_be_stored(api_down):
    messages, slots, _ = run(
        ActionRecordFeedback(), tracker(intent="report_answer_unhelpful", slots={"failed_attempts": 1})
    )
    assert slots["handoff_offered"] is True
    assert "hotline team" in messages[0]["text"]


def test_offer_and_decline(fake_api):
    messages, slots, _ = run(ActionOfferHandoff(), tracker(intent="reject_suggestions"))
    assert slots == {"handoff_offered": True, "handoff_reason": "bot_could_not_answer"}
    messages, slots, _ = run(ActionDeclineHandoff(), tracker(intent="deny"))
    assert slots["handoff_offered"] is False and HOTLINE in messages[0]["text"]


@pytest.mark.parametrize(
    ("as_of", "shown"), [("2019-10", "Correct as of October 2019."), ("2018", "Correct as of 2018.")]
)
def test_an_answer_about_the_past_says_when_its_facts_date_from(fake_api, as_of, shown):
    entry = {**ENTRY, "answer": "In 2019 there were more than 130 mutuals.", "as_of": as_of}
    fake_api.on("POST", "/api/faq/search", {"decision": "answer", "answer": entry, "candidates": []})
    messages, _, _ = run(ActionAnswerFaq(), tracker(text="how many mutuals", intent="ask_faq"))
    assert messages[0]["text"].splitlines()[1:3] == [shown, "Source: https://www.gov.uk/cic"]


def test_a_multi_paragraph_answer_stays_one_message(fake_api):
    entry = {**ENTRY, "answer": "First paragraph.\n\n- a point\n- another\n\nLast paragraph."}
    fake_api.on("POST", "/api/faq/search", {"decision": "answer", "answer": entry, "candidates": []})
    messages, _, _ = run(ActionAnswerFaq(), tracker(text="q", intent="ask_faq"))
    assert "\n\n" not in messages[0]["text"]
    assert messages[0]["text"].splitlines() == [
        "First paragraph.",
        "- a point",
        "- another",
        "Last paragraph.",
        "Source: https://www.gov.uk/cic",
    ]


def test_an_answer_offers_up_to_two_related_questions_and_sends_the_previous_answer(fake_api):
    related = [
        {"id": "what-is-an-asset-lock", "question": "What is an asset lock?", "topic": "legal-forms", "score": 0.3},
        {"id": "can-a-cic-pay-dividends", "question": "Can a CIC pay dividends?", "topic": "legal-forms", "score": 0.2},
    ]
    fake_api.on(
        "POST", "/api/faq/search", {"decision": "answer", "answer": ENTRY, "candidates": [], "related": related}
    )
    messages, _, _ = run(
        ActionAnswerFaq(), tracker(text="and the dividends?", intent="ask_faq", slots={"last_faq_id": "what-is-a-cic"})
    )
    assert messages[1]["text"] == "Related questions:"
    assert [b["payload"] for b in messages[1]["buttons"]] == [
        "/ask_faq" + json.dumps({"faq_id": "what-is-an-asset-lock"}),
        "/ask_faq" + json.dumps({"faq_id": "can-a-cic-pay-dividends"}),
    ]
    assert messages[2]["text"] == "Did that answer your question?"
    assert fake_api.requests[0]["json"]["previous_faq_id"] == "what-is-a-cic"


def test_a_question_that_starts_with_stop_is_answered(fake_api):
    fake_api.on("POST", "/api/faq/search", {"decision": "answer", "answer": ENTRY, "candidates": []})
    messages, _, _ = run(
        ActionAnswerOrAcknowledge(), tracker(text="I'd rather not phone, is there an email address?", intent="stop")
    )
    assert messages[0]["text"].startswith("A community interest company")


def test_a_plain_stop_is_acknowledged(fake_api):
    messages, _, _ = run(ActionAnswerOrAcknowledge(), tracker(text="stop", intent="stop"))
    assert [m["text"] for m in messages] == ["OK. Is there anything else I can help with?"]
    assert fake_api.requests == []


def test_out_of_scope_is_declined_unless_the_store_has_a_clear_answer(fake_api):
    fake_api.on("POST", "/api/faq/search", {"decision": "none", "answer": None, "candidates": []})
    messages, _, _ = run(ActionAnswerOrDecline(), tracker(text="best mutual fund returns", intent="out_of_scope"))
    assert messages[0]["text"].startswith("Sorry, I can only help with public service mutuals")
    assert HOTLINE in messages[0]["text"] and messages[0]["buttons"][1]["payload"] == "/request_human"
    assert fake_api.requests[0]["json"]["classified_out_of_scope"] is True

    fake_api.on("POST", "/api/faq/search", {"decision": "answer", "answer": ENTRY, "candidates": []})
    messages, slots, _ = run(ActionAnswerOrDecline(), tracker(text="what does CIC stand for", intent="out_of_scope"))
    assert messages[0]["text"].startswith("A community interest company")
    assert slots["last_faq_id"] == "what-is-a-cic"


def test_out_of_scope_is_declined_when_the_store_is_down(api_down):
    messages, _, _ = run(ActionAnswerOrDecline(), tracker(text="what is a CIC", intent="out_of_scope"))
    assert messages[0]["text"].startswith("Sorry, I can only help with public service mutuals")
