"""A Rasa NLU component that puts a person first: see `triage.cues`.

It runs after the intent classifier and before the fallback classifier:

- a request for a person anywhere in a typed message makes the intent `request_human`,
  whatever the classifier chose (unless it already chose a way to the hotline team);
- a request for an ambassador's own email or phone number goes to the directory, which
  says why it is not shared and offers an introduction;
- a message the classifier took for a bare "yes" or "no" that goes on to ask something
  ("I'd rather not phone, is there an email address?") becomes a question, `ask_faq`.

What it found is added to the parse data as `triage`, for the actions and the logs.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from triage.cues import (
    ambassador_contact_request,
    ambassador_request,
    introduction_request,
    is_question_not_reply,
    person_request,
)

# Intents that already lead to the hotline team, or belong to the handoff form.
LEADS_TO_TEAM = frozenset({"request_human", "make_complaint", "give_contact", "request_introduction"})
# Intents a directory cue may replace: the classifier's guesses for a question.
GUESSES = frozenset({"ask_faq", "nlu_fallback", "out_of_scope", "deny", "affirm", "stop"})
YES_OR_NO = frozenset({"affirm", "deny"})
MENTOR_WORDS = re.compile(r"\b(?:ambassadors?|mentors?|mentoring|peer support)\b")


def triage(
    text: str, intent: str | None, names_an_ambassador: bool = False
) -> tuple[str | None, dict[str, Any] | None]:
    """The intent the message should have (None: keep the classifier's) and why."""
    if not text or text.startswith("/"):
        return None, None
    if intent not in LEADS_TO_TEAM:
        cue = person_request(text)
        if cue and MENTOR_WORDS.search(text.lower()) and (intent == "find_ambassador" or ambassador_request(text)):
            # "an ambassador who has done it that I could talk to", "is there an ambassador
            # with a finance background? we need someone to check our model": a mentor request
            cue = None
        if cue:
            return "request_human", {"person_request": cue, "classified_as": intent}
        if ambassador_contact_request(text, names_an_ambassador):
            return "find_ambassador", {"ambassador_contact": True, "classified_as": intent}
        if intent in GUESSES and names_an_ambassador and introduction_request(text):
            return "request_introduction", {"introduction": True, "classified_as": intent}
        if intent in GUESSES and ambassador_request(text):
            return "find_ambassador", {"ambassador_request": True, "classified_as": intent}
    if intent in YES_OR_NO and is_question_not_reply(text):
        return "ask_faq", {"question_not_reply": True, "classified_as": intent}
    return None, None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TriageCues(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TriageCues:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            predicted = message.data.get(INTENT) or {}
            names = any(e.get("entity") == "ambassador_name" for e in message.get(ENTITIES) or [])
            intent, why = triage(message.get(TEXT) or "", predicted.get("name"), names)
            if intent is None:
                continue
            ranking = [r for r in message.data.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
            chosen = {"name": intent, "confidence": 1.0}
            message.data[INTENT] = chosen
            message.data[INTENT_RANKING_KEY] = [chosen, *ranking]
            message.set("triage", why, add_to_output=True)
        return messages
