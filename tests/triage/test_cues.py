"""The triage cues: requests for a person, ambassadors' contact details, questions that
start like a "no". Examples here are written for these tests, not taken from any
evaluation set."""

import pytest

from triage.cues import ambassador_contact_request, fold, is_question_not_reply, person_request


@pytest.mark.parametrize(
    "text",
    [
        "human",
        "Can I speak to someone please",
        "We have 300 staff moving under TUPE and it's complicated, I'd rather go through it with an adviser",
        "could someone ring me back about our LGPS bond",
        "this needs a human expert, not a bot",
        "staff are anxious, I need to talk to someone today",
        "put me through to an adviser",
        "please can a member of the team contact me",
        "id like someone to phone me tomorrow about the reserved contract",
        "i'd like a callback",
        "could an adviser give me a ring",
        "speek to sombody pls",
        "is there anyone I can actually talk to about our business case",
        "can I discuss our pension situation with an adviser",
        "i'd like to be called back",
        "would somebody from your organisation come and talk to our staff forum?",
        "could we get a named adviser to work with us through the transfer",
        "honestly I'd value talking the pension options through with a pensions adviser",
        "I want a proper discussion with a procurement specialist about this",
        "Is there a real person who handles complaints about consultations?",
        "the transfer date is next month and nothing is ready - who can help us?",
        "is there somebody my dad could ring and talk to? he doesn't use the internet",
        "please give me a named contact and a call asap",
    ],
)
def test_a_request_for_a_person_is_found_anywhere_in_the_message(text):
    assert person_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "What is TUPE?",
        "Do we need to talk to our staff before transferring?",
        "who should I talk to at the council about spinning out",
        "what's the hotline number",
        "is there an email address for the hotline",
        "I'd rather not phone, is there an email address?",
        "can a person be a member of two mutuals",
        "what does a human resources team need to do before a transfer",
        "How can I get an introduction to an ambassador?",
        "are you a real person?",
        "how much control do employees need before an organisation can be called employee-led",
        "what kind of expert help did the programme fund",
        "what sort of things can i ask the hotline",
        "is this a real person?",
        "who can help us at the council with the business case",
    ],
)
def test_questions_that_mention_people_are_not_requests(text):
    assert person_request(text) is None


def test_fold_mends_common_misspellings_and_spacing():
    assert fold("  Speek to  SOMBODY pls ") == "speak to somebody please"


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("What is Andrew Burnell's email address?", True, True),
        ("can I have the mobile number of the ambassador in Hull", False, True),
        ("How can I get in touch with an ambassador?", False, False),
        ("what is the hotline's phone number", False, False),
        ("mobile numbr for the ambassador in leeds pls", False, True),
        ("where does the ambassador from Hull live?", False, True),
        ("Scott Darraugh's direct email please", True, True),
    ],
)
def test_ambassador_contact_details(text, names, expected):
    assert ambassador_contact_request(text, names) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", False),
        ("no thanks", False),
        ("I'd rather not phone, is there an email address?", True),
        ("No, what I meant was how long the transfer takes for staff", True),
        ("yes please go ahead", False),
    ],
)
def test_a_question_that_starts_like_a_no(text, expected):
    assert is_question_not_reply(text) is expected
