"""Finding Mutuals Ambassadors in the directory."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import ApiRejected, ApiUnavailable, get_client
from actions.common import latest_entity, latest_text, offer_handoff_buttons, unavailable_message
from bot.content import dates

CONTACT_NOT_SHARED = (
    "Ambassadors' own email addresses, phone numbers and addresses are not shared here: "
    "they are kept private. The hotline team can introduce you instead: they pass your "
    "details to the ambassador, who gets in touch with you."
)
ABOUT_AMBASSADORS = (
    "Mutuals Ambassadors are experienced leaders of mutuals and businesses who mentor new "
    "mutuals free of charge. Their contact details are not shared here: the hotline team "
    "makes introductions."
)


def describe(ambassador: dict) -> str:
    role = ", ".join(part for part in (ambassador.get("role"), ambassador.get("organisation")) if part)
    lines = [f"{ambassador['name']}" + (f" – {role}" if role else "")]
    where = ambassador.get("location") or ambassador.get("region_label")
    if ambassador.get("location") and ambassador.get("region_label"):
        where = f"{ambassador['location']}, {ambassador['region_label']}"
    details = []
    if ambassador.get("sector_labels"):
        details.append("Sectors: " + ", ".join(ambassador["sector_labels"]))
    if where:
        details.append(f"Based in: {where}")
    if ambassador.get("expertise"):
        details.append("Experience: " + "; ".join(ambassador["expertise"]))
    if ambassador.get("as_of"):
        details.append(f"These details are from {month_and_year(ambassador['as_of'])}.")
    return "\n".join(lines + details)


def card(ambassador: dict) -> dict[str, Any]:
    """The ambassador as the widget shows them, a card: the same facts as `describe`."""
    where = ambassador.get("location") or ambassador.get("region_label")
    if ambassador.get("location") and ambassador.get("region_label"):
        where = f"{ambassador['location']}, {ambassador['region_label']}"
    fields = {
        "name": ambassador.get("name"),
        "role": ambassador.get("role"),
        "organisation": ambassador.get("organisation"),
        "sectors": ", ".join(ambassador.get("sector_labels") or []) or None,
        "region": where,
        "experience": "; ".join(ambassador.get("expertise") or []) or None,
        "as_of": f"These details are from {month_and_year(ambassador['as_of'])}." if ambassador.get("as_of") else None,
    }
    return {key: str(value) for key, value in fields.items() if value}


def month_and_year(value: str) -> str:
    """'2012-10-18' -> 'October 2012'."""
    try:
        return dates.month_and_year(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def names(people: list[dict]) -> str:
    """'Ann', 'Ann and Bob', 'Ann, Bob and Cy'."""
    listed = [p["name"] for p in people]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def not_confirmed(people: list[dict]) -> str:
    """Why there is no introduction button, and what the hotline team can do instead."""
    verb = "mentors" if len(people) == 1 else "mentor"
    return (
        f"The hotline team has not confirmed recently that {names(people)} still {verb}, so I "
        "cannot offer an introduction. They can check, or suggest an ambassador who does. "
        "Would you like the hotline team to get in touch?"
    )


def in_region(label: str) -> str:
    """'in the North West', 'in London', 'in Yorkshire and the Humber'."""
    return f"in the {label}" if label.split()[0] in {"North", "South", "East", "West"} else f"in {label}"


def criteria(interpreted: dict) -> str:
    parts = []
    if interpreted.get("sector_label"):
        parts.append(f"in {interpreted['sector_label'].lower()}")
    if interpreted.get("region_label"):
        parts.append(in_region(interpreted["region_label"]))
    return " ".join(parts)


class ActionFindAmbassador(Action):
    def name(self) -> str:
        return "action_find_ambassador"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            result = get_client().search_ambassadors(
                sector=latest_entity(tracker, "sector"),
                region=latest_entity(tracker, "region"),
                name=latest_entity(tracker, "ambassador_name"),
                q=latest_text(tracker) or None,
            )
        except (ApiUnavailable, ApiRejected):
            dispatcher.utter_message(text=unavailable_message())
            return [SlotSet("handoff_offered", False)]

        interpreted, matches = result["interpreted"], result["matches"]
        asked_for = criteria(interpreted)
        wants_contact = bool((tracker.latest_message.get("triage") or {}).get("ambassador_contact"))
        if wants_contact and len(matches) != 1:
            dispatcher.utter_message(
                text=CONTACT_NOT_SHARED + " Would you like the hotline team to get in touch about an introduction?",
                buttons=offer_handoff_buttons(),
            )
            return [
                SlotSet("ambassador_matches", [a["id"] for a in matches]),
                SlotSet("handoff_offered", True),
                SlotSet("handoff_reason", "ambassador_introduction"),
            ]
        if not matches:
            if interpreted.get("outside_england"):
                text = (
                    "The directory lists ambassadors who work in England, and none is listed in "
                    f"{interpreted['outside_england']}."
                )
            elif interpreted.get("name"):
                text = f"I could not find an ambassador called {interpreted['name']} in the directory."
            elif interpreted.get("unrecognised_region"):
                text = (
                    f"I do not know where '{interpreted['unrecognised_region']}' is. Ambassadors are "
                    "listed by English region, such as the North West or London."
                )
            else:
                text = f"I could not find an ambassador {asked_for} in the directory."
            dispatcher.utter_message(
                text=text
                + " The hotline team may still be able to suggest someone. Would you like them to get in touch?",
                buttons=offer_handoff_buttons(),
            )
            return [
                SlotSet("ambassador_matches", []),
                SlotSet("handoff_offered", True),
                SlotSet("handoff_reason", "ambassador_introduction"),
            ]

        if wants_contact:
            intro = CONTACT_NOT_SHARED
        elif interpreted.get("name"):
            intro = "Here is what the directory says:"
        elif result.get("by_experience"):
            intro = f"{ABOUT_AMBASSADORS}\nThese ambassadors have experience that matches what you asked about:"
        elif result.get("relaxed") == "region":
            intro = (
                f"No ambassador {asked_for} is listed. These ambassadors work in "
                f"{interpreted['sector_label'].lower()} elsewhere:"
            )
        elif result.get("relaxed") == "sector":
            intro = (
                f"No ambassador {asked_for} is listed. These ambassadors are {in_region(interpreted['region_label'])}:"
            )
        elif asked_for:
            intro = f"I found {len(matches)} ambassador{'s' if len(matches) != 1 else ''} {asked_for}:"
        else:
            intro = f"{ABOUT_AMBASSADORS} You can ask for one by sector, region or name. These are in the directory:"
        if (asked_for or interpreted.get("name")) and not wants_contact:
            # The explanation first: a line ending in a colon leads into the list below it.
            intro = f"{ABOUT_AMBASSADORS}\n{intro}"
        dispatcher.utter_message(text=intro)
        for ambassador in matches:
            # An introduction is offered only to an ambassador staff have confirmed still mentors.
            buttons = (
                [
                    {
                        "title": f"Ask for an introduction to {ambassador['name']}",
                        "payload": "/request_introduction" + json.dumps({"ambassador_name": ambassador["name"]}),
                    }
                ]
                if ambassador.get("confirmed")
                else []
            )
            dispatcher.utter_message(
                text=describe(ambassador), buttons=buttons, json_message={"ambassador": card(ambassador)}
            )
        unconfirmed = [a for a in matches if not a.get("confirmed")]
        if unconfirmed:
            dispatcher.utter_message(text=not_confirmed(unconfirmed), buttons=offer_handoff_buttons())
        return [
            SlotSet("ambassador_matches", [a["id"] for a in matches]),
            SlotSet("handoff_offered", bool(unconfirmed)),
            SlotSet("handoff_reason", "ambassador_introduction" if unconfirmed else None),
            SlotSet("sector", None),
            SlotSet("region", None),
            SlotSet("ambassador_name", None),
        ]
