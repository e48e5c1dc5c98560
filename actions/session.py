from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import hotline


class ActionSessionStart(Action):
    """Starts a session with the hotline number in a slot, for the domain's responses."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SessionStarted(), SlotSet("hotline_number", hotline()), ActionExecuted("action_listen")]
