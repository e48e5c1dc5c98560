import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SKIPPED
from actions.handoff import (
    ActionAskContactAddress,
    ActionAskContactName,
    ActionCancelHandoff,
    ActionStartHandoff,
    ActionSubmitHandoff,
    ValidateHandoffForm,
    handoff_request_id,
    transcript,
)
from tests.actions.conftest import HOTLINE, run, tracker

FILLED = {
    "contact_name": "Sam Jones",
    "contact_method": "email",
    "contact_address": "sam@example.org",
    "description": "We want to spin out our library service.",
    "consent": True,
    "handoff_reason": "asked_for_person",
    "last_topic": "legal-forms",
}

EVENTS = [
    {"event": "session_started"},
    {"event": "user", "text": "hello", "parse_data": {"intent": {"name": "greet"}}},
    {"event": "bot", "text": "Hello.", "data": {"buttons": [{"title": "Find", "payload": "/find_ambassador"}]}},
    {"event": "user", "text": "/request_human", "parse_data": {"intent": {"name": "request_human"}}},
]


@pytest.mark.parametrize(
    "intent, slots, reason",
    [
        ("request_human", {}, "asked_for_person"),
        ("make_complaint", {}, "complaint"),
        ("request_introduction", {}, "ambassador_introduction"),
        ("affirm", {"handoff_reason": "bot_could_not_answer"}, "bot_could_not_answer"),
    ],
)
def test_start_sets_the_reason(fake_api, intent, slots, reason):
    messages, set_slots, _ = run(ActionStartHandoff(), tracker(intent=intent, slots=slots))
    assert set_slots["handoff_reason"] == reason
    assert set_slots["contact_name"] is None  # a fresh form every time
    assert messages


def test_introduction_to_a_named_ambassador_resolves_the_id(fake_api):
    fake_api.on("GET", "/api/ambassadors", {"interpreted": {}, "matches": [{"id": "doug-cresswell"}]})
    _, slots, _ = run(
        ActionStartHandoff(),
        tracker(intent="request_introduction", entities=[{"entity": "ambassador_name", "value": "Doug Cresswell"}]),
    )
    assert slots["ambassador_id"] == "doug-cresswell"


def test_introduction_to_an_ambassador_not_confirmed_says_the_team_will_check(fake_api):
    fake_api.on(
        "GET", "/api/ambassadors/scott-darraugh", {"id": "scott-darraugh", "name": "Scott Darraugh", "confirmed": False}
    )
    messages, slots, _ = run(
        ActionStartHandoff(),
        tracker(
            intent="affirm",
            slots={"handoff_reason": "ambassador_introduction", "ambassador_matches": ["scott-darraugh"]},
        ),
    )
    assert slots["ambassador_id"] == "scott-darraugh"
    assert "not confirmed recently that Scott Darraugh still mentors" in messages[0]["text"]
    # Asked for an ambassador's own details, the visitor still hears why they are not given.
    assert "contact details are not shared here, so the hotline team" in messages[0]["text"]


def test_contact_details_given_up_front_are_kept(fake_api):
    _, slots, _ = run(
        ActionStartHandoff(), tracker(intent="give_contact", entities=[{"entity": "email", "value": "Sam@Example.org"}])
    )
    assert (slots["contact_method"], slots["contact_address"]) == ("email", "Sam@example.org")


def validate(slot, value, intent=None, slots=None):
    """The validator's slots, and what it found wrong (said by the next question, so the
    validator itself says nothing)."""
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateHandoffForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker(text=str(value), intent=intent, slots=slots), {})
    assert dispatcher.messages == []
    problem = result.pop("form_problem", None)
    return result, [problem] if problem else []


def test_name_can_be_skipped_or_given():
    assert validate("contact_name", "skip", intent="skip_question")[0] == {"contact_name": SKIPPED}
    assert validate("contact_name", "  Sam   Jones ")[0] == {"contact_name": "Sam Jones"}
    result, hints = validate("contact_name", "sam@example.org")
    assert result == {"contact_name": None} and "contact details" in hints[0]
    result, hints = validate("contact_name", "actually, what is TUPE?")
    assert result == {"contact_name": None} and "looks like a question" in hints[0]


def test_method_accepts_words_or_the_details_themselves():
    assert validate("contact_method", "email")[0] == {"contact_method": "email"}
    assert validate("contact_method", "please ring me")[0] == {"contact_method": "phone"}
    assert validate("contact_method", "07700 900123")[0] == {
        "contact_method": "phone",
        "contact_address": "07700 900123",
    }
    result, hints = validate("contact_method", "carrier pigeon")
    assert result == {"contact_method": None} and "email or phone" in hints[0]


def test_invalid_address_is_asked_again_with_a_hint():
    result, hints = validate("contact_address", "sam at example", slots={"contact_method": "email"})
    assert result == {"contact_address": None} and "not look like an email address" in hints[0]
    result, hints = validate("contact_address", "12345", slots={"contact_method": "phone"})
    assert result == {"contact_address": None} and "not look like a phone number" in hints[0]
    assert validate("contact_address", "sam@example.org", slots={"contact_method": "email"})[0] == {
        "contact_address": "sam@example.org"
    }


def test_address_of_the_other_kind_switches_the_method():
    result, _ = validate("contact_address", "07700 900123", slots={"contact_method": "email"})
    assert result == {"contact_method": "phone", "contact_address": "07700 900123"}


def test_description_limits_and_skip():
    assert validate("description", "/skip_question", intent="skip_question")[0] == {"description": SKIPPED}
    result, hints = validate("description", "x" * 1001)
    assert result == {"description": None} and "1000" in hints[0]


def test_consent_yes_no_or_asked_again():
    assert validate("consent", "/affirm", intent="affirm")[0] == {"consent": True}
    assert validate("consent", "no thanks", intent="deny")[0] == {"consent": False}
    assert validate("consent", "Yes")[0] == {"consent": True}
    result, hints = validate("consent", "maybe later", intent="ask_faq")
    assert result == {"consent": None} and "yes or no" in hints[0]


def test_the_address_question_follows_the_method():
    messages, _, _ = run(ActionAskContactAddress(), tracker(slots={"contact_method": "phone"}))
    assert "phone number" in messages[0]["text"] and messages[0]["custom"] == {"input": "phone"}
    messages, _, _ = run(ActionAskContactAddress(), tracker(slots={"contact_method": "email"}))
    assert "email address" in messages[0]["text"] and messages[0]["custom"] == {"input": "email"}


def test_an_answer_the_form_cannot_take_is_one_message_with_the_question():
    _, hints = validate("contact_name", "actually, what is TUPE?")
    messages, slots, _ = run(ActionAskContactName(), tracker(slots={"form_problem": hints[0]}))
    assert len(messages) == 1
    text = messages[0]["text"]
    assert text.startswith("That looks like a question rather than a name.")
    assert text.count("What is your name?") == 1 and "'stop'" in text
    assert [b["title"] for b in messages[0]["buttons"]] == ["Skip"]
    assert messages[0]["custom"] == {"input": "name"}
    assert slots == {"form_problem": None}  # said once: the next question is plain

    _, hints = validate("contact_address", "sam at example", slots={"contact_method": "email"})
    messages, _, _ = run(
        ActionAskContactAddress(), tracker(slots={"contact_method": "email", "form_problem": hints[0]})
    )
    (text,) = [m["text"] for m in messages]
    assert text.count("email address") == 2 and "name@example.com" in text and text.endswith("Type 'stop' to cancel.")

    messages, slots, _ = run(ActionAskContactName(), tracker())
    assert messages[0]["text"].startswith("What is your name?") and slots == {}


def test_transcript_is_readable():
    assert transcript(tracker(events=EVENTS)) == [
        {"sender": "user", "text": "hello"},
        {"sender": "bot", "text": "Hello.", "data": {"buttons": [{"title": "Find", "payload": "/find_ambassador"}]}},
        {"sender": "user", "text": "[pressed a button: request_human]"},
    ]


def test_submit_creates_the_ticket_and_gives_the_reference(fake_api):
    fake_api.on(
        "POST",
        "/api/tickets",
        {"reference": "MIS-000042", "status": "waiting", "created_at": "2026-11-26T10:00:00"},
        status=201,
    )
    messages, slots, _ = run(ActionSubmitHandoff(), tracker(slots=FILLED, events=EVENTS))
    sent = fake_api.requests[0]["json"]
    assert sent["sender_id"] == "conv-test"
    assert (sent["reason"], sent["category"], sent["consent"]) == ("asked_for_person", "legal-forms", True)
    assert (sent["contact_method"], sent["contact_email"], sent["contact_phone"]) == ("email", "sam@example.org", None)
    assert sent["contact_name"] == "Sam Jones" and len(sent["transcript"]) == 3
    text = messages[0]["text"]
    assert "MIS-000042" in text and "sam@example.org" in text and HOTLINE in text
    assert "The team is working now" in text
    assert slots["contact_address"] is None  # the form is cleared for next time


def test_outside_office_hours_the_visitor_is_told_when_to_expect_contact(fake_api):
    created = {
        "reference": "MIS-000044",
        "status": "waiting",
        "created_at": "2026-11-26T20:00:00",
        "office_open": False,
        "next_opening": "9am tomorrow",
    }
    fake_api.on("POST", "/api/tickets", created, status=201)
    messages, _, _ = run(ActionSubmitHandoff(), tracker(slots=FILLED))
    text = messages[0]["text"]
    assert "not working at the moment" in text and "from 9am tomorrow" in text
    assert "reply here" not in text


def test_skipped_parts_are_sent_as_empty(fake_api):
    fake_api.on(
        "POST",
        "/api/tickets",
        {"reference": "MIS-000043", "status": "waiting", "created_at": "2026-11-26T10:00:00"},
        status=201,
    )
    run(ActionSubmitHandoff(), tracker(slots={**FILLED, "contact_name": SKIPPED, "description": SKIPPED}))
    sent = fake_api.requests[0]["json"]
    assert sent["contact_name"] is None and sent["description"] is None


def test_no_consent_sends_nothing(fake_api):
    messages, _, _ = run(ActionSubmitHandoff(), tracker(slots={**FILLED, "consent": False}))
    assert fake_api.requests == []
    assert "not passed your details" in messages[0]["text"] and HOTLINE in messages[0]["text"]


def test_api_down_on_submit_never_claims_nothing_was_sent(api_down):
    messages, _, _ = run(ActionSubmitHandoff(), tracker(slots=FILLED))
    text = messages[0]["text"]
    assert "could not confirm" in text and HOTLINE in text and "nothing has been sent" not in text


def test_a_slow_store_is_asked_again_with_the_same_request_id(fake_api):
    """The store was busy past the action's timeout: the ticket may exist. The action asks
    once more with the same request_id (the API returns the ticket made, or makes it)."""
    created = {"reference": "MIS-000045", "status": "waiting", "created_at": "2026-11-26T10:00:00"}
    fake_api.on("POST", "/api/tickets", created, status=201, delay=1.5)  # past the 1 s timeout
    messages, _, _ = run(ActionSubmitHandoff(), tracker(slots=FILLED, events=EVENTS))
    ids = [r["json"]["request_id"] for r in fake_api.requests]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0].startswith("handoff-")
    assert "could not confirm" in messages[0]["text"]
    fake_api.on("POST", "/api/tickets", created, status=201)
    messages, _, _ = run(ActionSubmitHandoff(), tracker(slots=FILLED, events=EVENTS))
    assert fake_api.requests[-1]["json"]["request_id"] == ids[0]  # the same form run, the same key
    assert "MIS-000045" in messages[0]["text"]


def test_each_run_of_the_form_has_its_own_request_id():
    def run_started_at(timestamp: float) -> list[dict]:
        return [*EVENTS, {"event": "active_loop", "name": "handoff_form", "timestamp": timestamp}]

    first = handoff_request_id(tracker(slots=FILLED, events=run_started_at(100.0)))
    assert first == handoff_request_id(tracker(slots=FILLED, events=run_started_at(100.0)))
    assert first != handoff_request_id(tracker(slots=FILLED, events=run_started_at(200.0)))


def test_api_refusal_on_submit_is_told_honestly(fake_api):
    fake_api.on("POST", "/api/tickets", {"detail": "The request is not valid."}, status=422)
    messages, _, _ = run(ActionSubmitHandoff(), tracker(slots=FILLED))
    assert "nothing has been sent" in messages[0]["text"]


def test_cancel(fake_api):
    messages, slots, _ = run(ActionCancelHandoff(), tracker(slots=FILLED))
    assert "Nothing has been sent" in messages[0]["text"]
    assert all(
        slots[s] is None for s in ("contact_name", "contact_method", "contact_address", "description", "consent")
    )


@pytest.mark.parametrize("slot", ["contact_name", "contact_method", "contact_address", "description", "consent"])
def test_a_cleared_slot_is_not_validated_or_commented_on(slot):
    assert validate(slot, None) == ({slot: None}, [])


def test_a_question_asked_with_the_request_becomes_the_description(fake_api):
    text = "Our TUPE consultation starts in three weeks and it is complicated. Can someone call me back?"
    messages, slots, _ = run(ActionStartHandoff(), tracker(text=text, intent="request_human"))
    assert slots["description"] == text
    assert "you will not need to type it again" in messages[0]["text"]


def test_a_bare_request_leaves_the_description_to_the_form(fake_api):
    _, slots, _ = run(ActionStartHandoff(), tracker(text="can I talk to a person please", intent="request_human"))
    assert slots.get("description") is None


def test_an_accepted_offer_carries_the_unanswered_question(fake_api):
    events = [
        {"event": "user", "text": "hello"},
        {"event": "user", "text": "how long does an LGPS admission agreement take to sign"},
        {"event": "user", "text": "yes"},
    ]
    _, slots, _ = run(
        ActionStartHandoff(),
        tracker(text="yes", intent="affirm", events=events, slots={"handoff_reason": "bot_could_not_answer"}),
    )
    assert slots["description"] == "how long does an LGPS admission agreement take to sign"
    assert slots["handoff_reason"] == "bot_could_not_answer"
