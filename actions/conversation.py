"""Starting again, and what to say when nothing else fits."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import hotline


class ActionRestartConversation(Action):
    def name(self) -> str:
        return "action_restart_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="Let's start again. What would you like to know about public service mutuals?")
        return [Restarted(), SlotSet("hotline_number", hotline())]


class ActionDefaultFallback(Action):
    """When the dialogue policies are not confident of the next step."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=(
                "Sorry, I did not understand that. Try asking in a different way, "
                f"or call the hotline on {hotline()}."
            ),
            buttons=[
                {"title": "What can you help with?", "payload": "/ask_help"},
                {"title": "Talk to the hotline team", "payload": "/request_human"},
            ],
        )
        return [UserUtteranceReverted()]
