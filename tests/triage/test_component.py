"""The triage component in Rasa's pipeline: what it changes in a parsed message."""

from rasa.shared.nlu.training_data.message import Message

from triage.component import TriageCues, triage


def parsed(text: str, intent: str, confidence: float = 0.9, entities=()) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": list(entities),
        }
    )


def test_a_person_request_inside_a_question_becomes_request_human():
    message = parsed("What does TUPE mean for us? I'd really like to talk it through with an adviser.", "ask_faq")
    TriageCues({}).process([message])
    assert message.get("intent") == {"name": "request_human", "confidence": 1.0}
    assert message.get("intent_ranking")[1]["name"] == "ask_faq"
    assert message.get("triage")["classified_as"] == "ask_faq"


def test_a_message_already_going_to_the_team_is_left_alone():
    assert triage("I want to complain, nobody called me back", "make_complaint") == (None, None)
    assert triage("call me on 07700 900123", "give_contact") == (None, None)


def test_button_payloads_are_never_changed():
    assert triage("/request_human", "ask_faq") == (None, None)


def test_a_mentor_request_stays_with_the_directory():
    intent, _ = triage("is there an ambassador who has done it that I could talk to", "find_ambassador")
    assert intent is None
    # Also when the classifier guessed a question: the directory request is explicit.
    intent, _ = triage(
        "Is there a mentor with a legal background? We need someone to look over our articles.", "ask_faq"
    )
    assert intent == "find_ambassador"
    # Without a directory request, a person still comes first.
    intent, _ = triage("We need someone to look over our articles, can an adviser call me?", "ask_faq")
    assert intent == "request_human"


def test_arranging_to_meet_a_named_ambassador_is_an_introduction():
    text = "Could you set up a call with Eleanor Cappell for our board?"
    intent, _ = triage(text, "ask_faq", names_an_ambassador=True)
    assert intent == "request_introduction"


def test_an_ambassadors_contact_details_go_to_the_directory():
    intent, why = triage("what's Doug Cresswell's mobile number", "give_contact_details_typo", names_an_ambassador=True)
    assert intent == "find_ambassador" and why["ambassador_contact"] is True


def test_a_question_that_starts_with_no_is_a_question():
    intent, _ = triage("I'd rather not phone, is there an email address?", "deny")
    assert intent == "ask_faq"
    assert triage("no thanks", "deny") == (None, None)


def test_an_unchanged_message_gets_no_triage_key():
    message = parsed("what is a community interest company", "ask_faq")
    TriageCues({}).process([message])
    assert message.get("intent")["name"] == "ask_faq"
    assert message.get("triage") is None
