import json

from actions.directory import ActionFindAmbassador
from tests.actions.conftest import HOTLINE, run, tracker

DOUG = {
    "id": "doug-cresswell",
    "name": "Doug Cresswell",
    "role": None,
    "organisation": "Pure Innovations Ltd",
    "sectors": ["social-care"],
    "sector_labels": ["Social care"],
    "region": "north-west",
    "region_label": "North West",
    "location": "Stockport",
    "expertise": ["Supported employment"],
    "availability": "Introductions through the hotline team",
    "summary": None,
    "active": True,
    "as_of": "2013-02-01",
    "confirmed": True,
}


def test_matches_are_listed_with_an_introduction_button(fake_api):
    fake_api.on(
        "GET",
        "/api/ambassadors",
        {
            "interpreted": {
                "sector": "social-care",
                "sector_label": "Social care",
                "region": "north-west",
                "region_label": "North West",
            },
            "relaxed": None,
            "matches": [DOUG],
        },
    )
    messages, slots, _ = run(
        ActionFindAmbassador(),
        tracker(
            text="social care mentor in Stockport",
            intent="find_ambassador",
            entities=[{"entity": "sector", "value": "social care"}, {"entity": "region", "value": "Stockport"}],
        ),
    )
    assert "1 ambassador in social care in the North West" in messages[0]["text"]
    # The explanation comes first: the line that ends in a colon leads into the cards.
    assert messages[0]["text"].startswith("Mutuals Ambassadors are") and messages[0]["text"].endswith(":")
    assert "Doug Cresswell – Pure Innovations Ltd" in messages[1]["text"]
    card = messages[1]["custom"]["ambassador"]
    assert card["name"] == "Doug Cresswell" and card["region"] == "Stockport, North West"
    assert card["organisation"] == "Pure Innovations Ltd" and card["as_of"] == "These details are from February 2013."
    assert "Stockport, North West" in messages[1]["text"]
    assert "These details are from February 2013." in messages[1]["text"]
    assert messages[1]["buttons"][0]["payload"] == "/request_introduction" + json.dumps(
        {"ambassador_name": "Doug Cresswell"}
    )
    assert slots["ambassador_matches"] == ["doug-cresswell"]
    assert len(messages) == 2 and slots["handoff_offered"] is False
    path = fake_api.requests[0]["path"]
    assert "sector=social+care" in path and "region=Stockport" in path


def test_no_introduction_is_offered_to_an_ambassador_not_confirmed_and_the_bot_says_why(fake_api):
    scott = {**DOUG, "id": "scott-darraugh", "name": "Scott Darraugh", "confirmed": False}
    fake_api.on(
        "GET",
        "/api/ambassadors",
        {
            "interpreted": {"sector": "social-care", "sector_label": "Social care"},
            "relaxed": None,
            "matches": [DOUG, scott],
        },
    )
    messages, slots, _ = run(ActionFindAmbassador(), tracker(text="social care mentors", intent="find_ambassador"))
    cards = {m["text"].splitlines()[0].split(" – ")[0]: m for m in messages[1:3]}
    assert cards["Doug Cresswell"]["buttons"][0]["title"] == "Ask for an introduction to Doug Cresswell"
    assert not cards["Scott Darraugh"]["buttons"]
    assert "not confirmed recently that Scott Darraugh still mentors" in messages[3]["text"]
    assert "Doug Cresswell" not in messages[3]["text"]
    assert [b["payload"] for b in messages[3]["buttons"]] == ["/affirm", "/deny"]
    assert slots["handoff_offered"] is True and slots["handoff_reason"] == "ambassador_introduction"


def test_no_match_offers_the_hotline(fake_api):
    fake_api.on(
        "GET",
        "/api/ambassadors",
        {"interpreted": {"sector": "education", "sector_label": "Education"}, "relaxed": None, "matches": []},
    )
    messages, slots, _ = run(ActionFindAmbassador(), tracker(text="education mentor", intent="find_ambassador"))
    assert "could not find an ambassador in education" in messages[0]["text"]
    assert slots["handoff_offered"] is True and slots["handoff_reason"] == "ambassador_introduction"


def test_unknown_place_is_explained(fake_api):
    fake_api.on(
        "GET", "/api/ambassadors", {"interpreted": {"unrecognised_region": "Narnia"}, "relaxed": None, "matches": []}
    )
    messages, _, _ = run(
        ActionFindAmbassador(),
        tracker(text="mentor in Narnia", intent="find_ambassador", entities=[{"entity": "region", "value": "Narnia"}]),
    )
    assert "Narnia" in messages[0]["text"] and "English region" in messages[0]["text"]


def test_directory_down(api_down):
    messages, _, _ = run(ActionFindAmbassador(), tracker(text="find a mentor", intent="find_ambassador"))
    assert HOTLINE in messages[0]["text"]


def test_region_phrases_read_naturally():
    from actions.directory import in_region

    assert in_region("North West") == "in the North West"
    assert in_region("East of England") == "in the East of England"
    assert in_region("London") == "in London"
    assert in_region("Yorkshire and the Humber") == "in Yorkshire and the Humber"


def test_a_place_outside_england_is_said_plainly_and_the_hotline_offered(fake_api):
    fake_api.on(
        "GET", "/api/ambassadors", {"interpreted": {"outside_england": "Belfast"}, "relaxed": None, "matches": []}
    )
    messages, slots, _ = run(
        ActionFindAmbassador(), tracker(text="any ambassadors in Belfast", intent="find_ambassador")
    )
    assert "work in England, and none is listed in Belfast" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert slots["handoff_offered"] is True


def test_personal_contact_details_are_refused_with_the_reason_and_an_introduction(fake_api):
    ambassador = {
        "id": "doug-cresswell",
        "name": "Doug Cresswell",
        "role": None,
        "organisation": "Pure Innovations",
        "sector_labels": ["Social care"],
        "region_label": "North West",
        "location": "Stockport",
        "expertise": [],
        "confirmed": True,
    }
    fake_api.on(
        "GET", "/api/ambassadors", {"interpreted": {"name": "Doug Cresswell"}, "relaxed": None, "matches": [ambassador]}
    )
    asking = tracker(text="what's Doug Cresswell's mobile number", intent="find_ambassador")
    asking.latest_message["triage"] = {"ambassador_contact": True}
    messages, _, _ = run(ActionFindAmbassador(), asking)
    assert "are not shared here: they are kept private" in messages[0]["text"]
    assert messages[1]["buttons"][0]["title"] == "Ask for an introduction to Doug Cresswell"


def test_contact_details_of_no_one_in_particular_offer_the_hotline(fake_api):
    fake_api.on("GET", "/api/ambassadors", {"interpreted": {}, "relaxed": None, "matches": []})
    asking = tracker(text="can I have the ambassadors' email addresses", intent="find_ambassador")
    asking.latest_message["triage"] = {"ambassador_contact": True}
    messages, slots, _ = run(ActionFindAmbassador(), asking)
    assert "are not shared here" in messages[0]["text"] and slots["handoff_reason"] == "ambassador_introduction"
