"""Answering questions from the FAQ store, and what visitors say about the answers."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import ApiRejected, ApiUnavailable, get_client
from actions.common import (
    failed_attempts,
    hotline,
    latest_intent,
    latest_text,
    offer_handoff_buttons,
    unavailable_message,
)
from bot.content.dates import as_of_text
from triage.cues import is_question_not_reply

FEEDBACK_BUTTONS = [
    {"title": "Yes, it did", "payload": "/confirm_answer_helpful"},
    {"title": "No, it did not", "payload": "/report_answer_unhelpful"},
]


ANYTHING_ELSE = "OK. Is there anything else I can help with?"
OUT_OF_SCOPE = (
    "Sorry, I can only help with public service mutuals: organisations that have left the public "
    "sector and are run with their staff. I cannot help with mutual funds, building societies, "
    "insurance, council tax or health appointments. Ask me about spinning out a public service, "
    "or call the hotline on {hotline}."
)
OUT_OF_SCOPE_BUTTONS = [
    {"title": "What can you help with?", "payload": "/ask_help"},
    {"title": "Talk to the hotline team", "payload": "/request_human"},
]


def faq_payload(faq_id: str) -> str:
    return "/ask_faq" + json.dumps({"faq_id": faq_id})


def answer_text(entry: dict) -> str:
    """The answer as one chat message: Rasa's REST channel would split it at blank lines."""
    lines = [line.rstrip() for line in entry["answer"].strip().splitlines() if line.strip()]
    if entry.get("as_of"):
        lines.append(f"Correct as of {as_of_text(entry['as_of'])}.")
    # `sources` leaves out any reported gone; only an entry without the list falls back.
    if "sources" in entry:
        sources = entry["sources"] or []
    else:
        sources = [{"url": entry["source_url"]}] if entry.get("source_url") else []
    for source in sources:
        title = (source.get("title") or "").strip()
        lines.append(f"Source: {title}, {source['url']}" if title else f"Source: {source['url']}")
    return "\n".join(lines)


def give_answer(
    dispatcher: CollectingDispatcher, entry: dict, related: list[dict] | None = None
) -> list[dict[str, Any]]:
    dispatcher.utter_message(text=answer_text(entry))
    if related:
        dispatcher.utter_message(
            text="Related questions:",
            buttons=[{"title": r["question"], "payload": faq_payload(r["id"])} for r in related],
        )
    dispatcher.utter_message(text="Did that answer your question?", buttons=FEEDBACK_BUTTONS)
    return [
        SlotSet("last_faq_id", entry["id"]),
        SlotSet("last_topic", entry.get("topic")),
        SlotSet("failed_attempts", 0),
        SlotSet("handoff_offered", False),
    ]


def count_failure(dispatcher: CollectingDispatcher, tracker: Tracker, first_try_text: str) -> list[dict[str, Any]]:
    """One more failed attempt; the second in a row offers the hotline."""
    failures = failed_attempts(tracker) + 1
    if failures >= 2:
        dispatcher.utter_message(
            text=(
                "Sorry, I still have not found what you need. Would you like the hotline " "team to get back to you?"
            ),
            buttons=offer_handoff_buttons(),
        )
        return [
            SlotSet("failed_attempts", failures),
            SlotSet("handoff_offered", True),
            SlotSet("handoff_reason", "bot_could_not_answer"),
        ]
    dispatcher.utter_message(
        text=first_try_text,
        buttons=[
            {"title": "What can you help with?", "payload": "/ask_help"},
            {"title": "Talk to the hotline team", "payload": "/request_human"},
        ],
    )
    return [SlotSet("failed_attempts", failures), SlotSet("handoff_offered", False)]


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SlotSet("faq_id", None)]
        client = get_client()
        chosen = tracker.get_slot("faq_id")
        try:
            if chosen:
                entry = client.get_faq(chosen)
                if entry is None:
                    return events + count_failure(
                        dispatcher, tracker, "Sorry, that answer is no longer available. Try asking in your own words."
                    )
                return events + give_answer(dispatcher, entry)
            question = latest_text(tracker)
            if not question:
                dispatcher.utter_message(response="utter_help")
                return events
            result = client.search_faq(question, tracker.sender_id, tracker.get_slot("last_faq_id"))
        except (ApiUnavailable, ApiRejected):
            dispatcher.utter_message(text=unavailable_message())
            return events + [SlotSet("handoff_offered", False)]

        if result["decision"] == "answer" and result.get("answer"):
            return events + give_answer(dispatcher, result["answer"], result.get("related"))
        if result["decision"] == "suggest" and result.get("candidates"):
            buttons = [{"title": c["question"], "payload": faq_payload(c["id"])} for c in result["candidates"][:3]]
            buttons.append({"title": "None of these", "payload": "/reject_suggestions"})
            dispatcher.utter_message(text="I'm not sure I understood. Did you mean one of these?", buttons=buttons)
            return events + [SlotSet("handoff_offered", False)]
        first_try = "Sorry, I could not find an answer to that. Try asking in a different way, " "using other words."
        if latest_intent(tracker) == "nlu_fallback":
            first_try = "Sorry, I did not understand that. Try asking about public service mutuals in a different way."
        return events + count_failure(dispatcher, tracker, first_try)


class ActionAnswerOrAcknowledge(Action):
    """ "stop", "skip" or "no" when nothing is under way: a plain acknowledgement, unless
    the message goes on to ask something ("I'd rather not phone, is there an email
    address?"), which is answered as a question."""

    def name(self) -> str:
        return "action_answer_or_acknowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if is_question_not_reply(latest_text(tracker)):
            return await ActionAnswerFaq().run(dispatcher, tracker, domain)
        dispatcher.utter_message(text=ANYTHING_ELSE)
        return []


class ActionAnswerOrDecline(Action):
    """A message the classifier judged out of scope: declined, unless the FAQ store has a
    clear answer to it (the classifier also misjudges real questions with unusual words)."""

    def name(self) -> str:
        return "action_answer_or_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = latest_text(tracker)
        if question:
            try:
                result = get_client().search_faq(
                    question, tracker.sender_id, tracker.get_slot("last_faq_id"), classified_out_of_scope=True
                )
            except (ApiUnavailable, ApiRejected):
                result = {}
            if result.get("decision") == "answer" and result.get("answer"):
                return give_answer(dispatcher, result["answer"], result.get("related"))
        dispatcher.utter_message(text=OUT_OF_SCOPE.format(hotline=hotline()), buttons=OUT_OF_SCOPE_BUTTONS)
        return []


class ActionRecordFeedback(Action):
    """Handles "Did that answer your question?" replies, and keeps them for the team."""

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        helpful = latest_intent(tracker) == "confirm_answer_helpful"
        try:
            get_client().record_feedback(
                sender_id=tracker.sender_id, faq_id=tracker.get_slot("last_faq_id"), helpful=helpful
            )
        except (ApiUnavailable, ApiRejected):
            pass  # feedback is nice to have; the visitor's conversation goes on regardless
        if helpful:
            dispatcher.utter_message(text="Good. Is there anything else I can help with?")
            return [SlotSet("failed_attempts", 0), SlotSet("handoff_offered", False)]
        return count_failure(
            dispatcher,
            tracker,
            "Sorry that did not help. Try asking in a different way, or I can pass your question to the hotline team.",
        )


class ActionOfferHandoff(Action):
    """After "none of these": offer the hotline team."""

    def name(self) -> str:
        return "action_offer_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text="Sorry I could not find the right answer. Would you like the hotline team to get back to you?",
            buttons=offer_handoff_buttons(),
        )
        return [SlotSet("handoff_offered", True), SlotSet("handoff_reason", "bot_could_not_answer")]


class ActionDeclineHandoff(Action):
    def name(self) -> str:
        return "action_decline_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=(
                "No problem. You can keep asking me questions, or call the hotline on "
                f"{hotline()} if you change your mind."
            )
        )
        return [SlotSet("handoff_offered", False), SlotSet("handoff_reason", None), SlotSet("failed_attempts", 0)]
