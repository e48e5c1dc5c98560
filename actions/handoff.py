"""Handing a conversation to the hotline team: the form, its checks and the ticket."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.client import ApiRejected, ApiUnavailable, get_client
from actions.common import SKIPPED, hotline, latest_entity, latest_intent, latest_text, reset_handoff
from bot.faq.text import STOPWORDS
from bot.hotline import contact
from triage.cues import person_request

REASON_BY_INTENT = {
    "request_human": "asked_for_person",
    "give_contact": "asked_for_person",
    "make_complaint": "complaint",
    "request_introduction": "ambassador_introduction",
}
SKIP_WORDS = {"skip", "pass", "no", "none", "n/a", "na", "prefer not to say", "rather not say", "-"}
YES_WORDS = {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "of course", "yes please", "fine", "i agree", "agree"}
NO_WORDS = {"no", "n", "nope", "no thanks", "no thank you", "i do not", "i don't", "dont", "don't"}
MAX_NAME = 120
MAX_DESCRIPTION = 1000
PROBLEM_SLOT = "form_problem"


def _folded(value: Any) -> str:
    return " ".join(re.sub(r"[^\w\s'/-]", " ", str(value or "")).lower().split())


def _skipping(tracker: Tracker, value: Any) -> bool:
    return latest_intent(tracker) == "skip_question" or _folded(value) in SKIP_WORDS | {"/skip_question"}


class ActionStartHandoff(Action):
    """Works out why the visitor is being handed off, then the form collects details."""

    def name(self) -> str:
        return "action_start_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        reason = REASON_BY_INTENT.get(intent) or tracker.get_slot("handoff_reason") or "asked_for_person"
        events = reset_handoff() + [SlotSet("handoff_reason", reason), SlotSet("handoff_offered", False)]

        if reason == "ambassador_introduction":
            ambassador = self._ambassador(tracker)
            events.append(SlotSet("ambassador_id", ambassador["id"] if ambassador else None))
            if ambassador and ambassador.get("confirmed") is False:
                text = (
                    "Ambassadors' contact details are not shared here, so the hotline team makes "
                    f"introductions. They have not confirmed recently that {ambassador['name']} still "
                    "mentors: they will check, and suggest another ambassador if not. I need a few "
                    "details so they can get back to you."
                )
            else:
                text = (
                    "Ambassadors' contact details are not shared here, so the hotline team will "
                    "make the introduction. I need a few details so they can get back to you."
                )
            dispatcher.utter_message(text=text)
        elif reason == "complaint":
            dispatcher.utter_message(
                text="I'm sorry to hear that. I'll pass your complaint to the hotline team. I need a few details first."
            )
        else:
            question = question_for_team(tracker)
            if question:
                events.append(SlotSet("description", question))
                dispatcher.utter_message(
                    text=(
                        "I'll pass your question to the hotline team, so you will not need to type it "
                        "again. I need a few details so they can get back to you."
                    )
                )
            else:
                dispatcher.utter_message(
                    text="I'll pass you to the hotline team. I need a few details so they can get back to you."
                )

        email = contact.normalise_email(latest_entity(tracker, "email"))
        phone = contact.normalise_phone(latest_entity(tracker, "phone"))
        if email or phone:
            events += [
                SlotSet("contact_method", "email" if email else "phone"),
                SlotSet("contact_address", email or phone),
            ]
        return events

    @staticmethod
    def _ambassador(tracker: Tracker) -> dict | None:
        """The ambassador the visitor asked to be introduced to, as the directory has them:
        the one named, or the only one just shown."""
        name = latest_entity(tracker, "ambassador_name")
        shown = tracker.get_slot("ambassador_matches") or []
        try:
            if name:
                matches = get_client().search_ambassadors(name=name)["matches"]
                if len(matches) == 1:
                    return matches[0]
            if len(shown) == 1:
                return get_client().get_ambassador(shown[0]) or {"id": shown[0]}
        except (ApiUnavailable, ApiRejected):
            return {"id": shown[0]} if len(shown) == 1 else None
        return None


# A message with at least this many words of substance besides its request for a person
# says what the visitor needs: it becomes the ticket's description, so the team does not
# ask again. ("I'd like to talk to a real person please" has none.)
QUESTION_MIN_WORDS = 2
FILLER = STOPWORDS | {"please", "now", "today", "asap", "urgently", "soon", "help", "question", "someone", "somebody"}
FILLER |= {"i'd", "id", "i'll", "i've", "we'd", "we're", "we've", "you're"}


def substance(text: str) -> int:
    return sum(1 for word in re.findall(r"[a-z0-9']+", text.lower()) if word not in FILLER)


def question_for_team(tracker: Tracker) -> str | None:
    """What the visitor wants help with, in their own words, if they have already said it:
    the message that asked for a person, or (after an offer of the hotline was accepted)
    the last question the assistant could not answer."""
    typed = [
        str(e.get("text") or "").strip()
        for e in tracker.events
        if e.get("event") == "user" and not str(e.get("text") or "").startswith("/")
    ]
    latest = latest_text(tracker)
    candidates = [latest] if latest else []
    if latest_intent(tracker) == "affirm" or not latest:
        candidates += list(reversed(typed[:-1] if latest else typed))[:3]
    for text in candidates:
        cue = person_request(text) or ""
        if text and substance(text) - substance(cue) >= QUESTION_MIN_WORDS:
            return " ".join(text.split())[:MAX_DESCRIPTION]
    return None


def problem(slot: str, text: str) -> dict[str, Any]:
    """An answer the form cannot take: the slot stays empty, and the form's next question
    (asked again by its ask action) begins with what was wrong, so the visitor reads one
    message, not a complaint followed by the same question."""
    return {slot: None, PROBLEM_SLOT: text}


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    def validate_contact_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # cleared, not answered: nothing to check or say
            return {"contact_name": None}
        if _skipping(tracker, value):
            return {"contact_name": SKIPPED}
        name = " ".join(str(value).split())
        if name.endswith("?") or len(name.split()) > 6:
            return problem(
                "contact_name",
                "That looks like a question rather than a name. "
                "You can put it in your message to the team in a moment.",
            )
        if contact.normalise_email(name) or contact.normalise_phone(name):
            return problem("contact_name", "That looks like contact details rather than a name.")
        if not name or len(name) > MAX_NAME:
            return problem("contact_name", f"Your name must be {MAX_NAME} characters or fewer.")
        return {"contact_name": name}

    def validate_contact_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # cleared, not answered: nothing to check or say
            return {"contact_method": None}
        text = str(value or "")
        email, phone = contact.normalise_email(text), contact.normalise_phone(text)
        if email:
            return {"contact_method": "email", "contact_address": email}
        if phone:
            return {"contact_method": "phone", "contact_address": phone}
        method = contact.detect_contact_method(text)
        if method is None:
            return problem("contact_method", "Choose email or phone. The team needs one of them to get back to you.")
        return {"contact_method": method}

    def validate_contact_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # cleared, not answered: nothing to check or say
            return {"contact_address": None}
        method = tracker.get_slot("contact_method")
        text = str(value or "")
        email, phone = contact.normalise_email(text), contact.normalise_phone(text)
        if method == "email" and email:
            return {"contact_address": email}
        if method == "phone" and phone:
            return {"contact_address": phone}
        if email or phone:  # they gave the other kind: use what they gave
            return {"contact_method": "email" if email else "phone", "contact_address": email or phone}
        if method == "phone":
            return problem(
                "contact_address",
                "That does not look like a phone number. "
                "Enter a UK number, or an international number starting with +.",
            )
        return problem("contact_address", "That does not look like an email address. Check it and enter it again.")

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # cleared, not answered: nothing to check or say
            return {"description": None}
        if _skipping(tracker, value):
            return {"description": SKIPPED}
        description = str(value or "").strip()
        if len(description) > MAX_DESCRIPTION:
            return problem(
                "description",
                f"Your message must be {MAX_DESCRIPTION} characters or fewer. "
                "The team will read this conversation too.",
            )
        return {"description": description or SKIPPED}

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # cleared, not answered: nothing to check or say
            return {"consent": None}
        intent, folded = latest_intent(tracker), _folded(value)
        if intent == "affirm" or folded in YES_WORDS or folded == "/affirm":
            return {"consent": True}
        if intent == "deny" or folded in NO_WORDS or folded == "/deny":
            return {"consent": False}
        return problem("consent", "Answer yes or no.")


def transcript(tracker: Tracker) -> list[dict[str, Any]]:
    """The visitor's and the bot's messages in this session, for the hotline team."""
    messages: list[dict[str, Any]] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            messages = []
        elif event.get("event") == "user":
            text = event.get("text") or ""
            if text.startswith("/"):
                text = f"[pressed a button: {(event.get('parse_data') or {}).get('intent', {}).get('name', text)}]"
            messages.append({"sender": "user", "text": text[:5000]})
        elif event.get("event") == "bot" and event.get("text"):
            data = event.get("data") or {}
            messages.append(
                {
                    "sender": "bot",
                    "text": event["text"][:5000],
                    "data": {"buttons": data["buttons"]} if data.get("buttons") else None,
                }
            )
    return messages[-1000:]


def handoff_request_id(tracker: Tracker) -> str:
    """One key per run of the handoff form: the same for every retry of this submission,
    different for the next time the visitor fills the form in."""
    started = None
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "handoff_form":
            started = event.get("timestamp")
            break
        if started is None and event.get("event") == "user":
            started = event.get("timestamp")  # no form run recorded: the message that sent it
    digest = hashlib.sha256(f"{tracker.sender_id}|{started}".encode()).hexdigest()
    return f"handoff-{digest[:40]}"


def create_once(ticket: dict) -> dict:
    """Create the ticket; after a timeout or a failure, ask once more with the same
    request_id, which returns the ticket if the first call made it."""
    client = get_client()
    try:
        return client.create_ticket(ticket)
    except ApiUnavailable:
        return client.create_ticket(ticket)


class ActionSubmitHandoff(Action):
    def name(self) -> str:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        slots = {
            slot: tracker.get_slot(slot)
            for slot in ("contact_name", "contact_method", "contact_address", "description", "consent")
        }
        done = reset_handoff() + [SlotSet("handoff_offered", False), SlotSet("failed_attempts", 0)]
        if slots["consent"] is not True:
            dispatcher.utter_message(
                text=(
                    "OK. I have not passed your details to the hotline team. If you would like to "
                    f"talk to someone, call the hotline on {hotline()}."
                )
            )
            return done
        method, address = slots["contact_method"], slots["contact_address"]
        name = None if slots["contact_name"] in (None, SKIPPED) else slots["contact_name"]
        reason = tracker.get_slot("handoff_reason") or "asked_for_person"
        ticket = {
            "request_id": handoff_request_id(tracker),
            # The sender id Rasa knows the conversation by: for a widget conversation, the
            # gateway's HMAC of its id, through which alone the API links the ticket to it.
            "sender_id": tracker.sender_id,
            "reason": reason,
            "category": "ambassadors" if reason == "ambassador_introduction" else tracker.get_slot("last_topic"),
            "contact_name": name,
            "contact_method": method,
            "contact_email": address if method == "email" else None,
            "contact_phone": address if method == "phone" else None,
            "description": None if slots["description"] in (None, SKIPPED) else slots["description"],
            "consent": True,
            "ambassador_id": tracker.get_slot("ambassador_id"),
            "transcript": transcript(tracker),
        }
        try:
            created = create_once(ticket)
        except ApiRejected:
            dispatcher.utter_message(
                text=(
                    "Sorry, I could not pass your details to the hotline team just now, so nothing "
                    f"has been sent. Please call the hotline on {hotline()}, or try again in a few minutes."
                )
            )
            return done
        except ApiUnavailable:
            # The ticket may have been made after all (a slow store): never say it was not.
            dispatcher.utter_message(
                text=(
                    "Sorry, I could not confirm that your details reached the hotline team. "
                    f"Please call the hotline on {hotline()} so they can check."
                )
            )
            return done
        reference = created["reference"]
        how = f"by email at {address}" if method == "email" else f"by phone on {address}"
        thanks = f"Thank you, {name}." if name else "Thank you."
        if created.get("office_open") is False:
            next_step = (
                f"The hotline team is not working at the moment. They will contact you {how} "
                f"from {created.get('next_opening') or 'when they are next working'}."
            )
        else:
            next_step = (
                "The team is working now: someone may reply here while you are on this page, "
                f"or they will contact you {how}."
            )
        dispatcher.utter_message(
            text=(
                f"{thanks} I've passed this to the hotline team. Your reference is {reference}.\n"
                f"{next_step} If you need to talk to someone sooner, call the hotline on {hotline()} "
                "and give your reference."
            ),
            json_message={"ticket_reference": reference},
        )
        return done


class ActionCancelHandoff(Action):
    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=(
                "OK, I've stopped. Nothing has been sent to the hotline team. You can keep asking "
                f"me questions, or call the hotline on {hotline()}."
            )
        )
        return reset_handoff() + [SlotSet("handoff_offered", False)]


class _AskAction(Action):
    """Asks for one of the handoff form's details: after an answer the form could not take,
    what was wrong and the question in one message. The message says what kind of answer it
    wants (`input`), so the widget can label its box and offer the right keyboard."""

    slot = ""
    buttons: list[dict[str, str]] = []
    answer_kind = "text"

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def question(self, tracker: Tracker) -> str:
        raise NotImplementedError

    def kind(self, tracker: Tracker) -> str:
        return self.answer_kind

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = self.question(tracker)
        wrong = tracker.get_slot(PROBLEM_SLOT)
        if wrong:
            question = f"{wrong} {question}"
            if "'stop'" not in question:
                question += " Type 'stop' to cancel."
        dispatcher.utter_message(
            text=question, buttons=self.buttons or None, json_message={"input": self.kind(tracker)}
        )
        return [SlotSet(PROBLEM_SLOT, None)] if wrong else []


class ActionAskContactName(_AskAction):
    slot = "contact_name"
    answer_kind = "name"
    buttons = [{"title": "Skip", "payload": "/skip_question"}]

    def question(self, tracker: Tracker) -> str:
        return "What is your name? You can type 'skip' if you'd rather not say, or 'stop' at any time to cancel."


class ActionAskContactMethod(_AskAction):
    slot = "contact_method"
    buttons = [{"title": "Email", "payload": "email"}, {"title": "Phone", "payload": "phone"}]

    def question(self, tracker: Tracker) -> str:
        return "How would you like the hotline team to contact you: by email or by phone?"


class ActionAskContactAddress(_AskAction):
    slot = "contact_address"

    def kind(self, tracker: Tracker) -> str:
        return "phone" if tracker.get_slot("contact_method") == "phone" else "email"

    def question(self, tracker: Tracker) -> str:
        if tracker.get_slot("contact_method") == "phone":
            return "What phone number should we call? For example, 0161 496 0000."
        return "What is your email address? For example, name@example.com."


class ActionAskDescription(_AskAction):
    slot = "description"
    buttons = [{"title": "Skip", "payload": "/skip_question"}]

    def question(self, tracker: Tracker) -> str:
        return (
            "In a sentence or two, what would you like help with? You can type 'skip' and "
            "the team will read this conversation instead."
        )


class ActionAskConsent(_AskAction):
    slot = "consent"
    buttons = [
        {"title": "Yes, you can contact me", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]

    def question(self, tracker: Tracker) -> str:
        return (
            "Can the hotline team contact you using these details about your enquiry? "
            "We will only use them to answer you."
        )
