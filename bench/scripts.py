"""What the simulated visitors say: one conversation each, the same for the full stack
(through the gateway) and for bare Rasa (its REST channel). Pure: no network here."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

DEVSET = Path(__file__).resolve().parent.parent / "tests" / "data" / "faq_devset.yml"

FAQ, AMBASSADOR, HANDOFF = "faq", "ambassador", "handoff"
# The mix of visitors: most come with questions.
WEIGHTS = {FAQ: 0.6, AMBASSADOR: 0.2, HANDOFF: 0.2}
INTRODUCTION_PREFIX = "/request_introduction"
# The button the ambassador search offers first for "health in Hull" (used when a reply
# carries no button, as bare Rasa's replies do: it has no action server).
DEFAULT_INTRODUCTION = (
    INTRODUCTION_PREFIX + json.dumps({"ambassador_name": "Andrew Burnell"}),
    "Ask for an introduction to Andrew Burnell",
)
NAMES = ["Priya Shah", "Alex Morgan", "Sam Taylor", "Jo Bloggs", "Chris Evans", "Fatima Khan", "Tom Okafor"]
DESCRIPTIONS_SKIPPED = "skip"
THINK_TIME = (0.5, 1.5)


@dataclass(frozen=True)
class Step:
    """One visitor message: typed text, or a button's payload with its title."""

    text: str | None = None
    payload: str | None = None
    title: str | None = None

    def gateway_json(self) -> dict:
        if self.payload is not None:
            return {"payload": self.payload, "title": self.title or self.payload}
        return {"text": self.text}

    def rasa_message(self) -> str:
        """What the gateway passes on to Rasa for this message."""
        if self.payload is not None:
            return self.payload
        return (self.text or "").lstrip("/") or (self.text or "")


def load_questions(path: Path = DEVSET) -> list[str]:
    return [item["text"] for item in yaml.safe_load(path.read_text())["questions"]]


def pick_kind(rng: random.Random) -> str:
    return rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]


def faq_visitor(rng: random.Random, questions: list[str]) -> list[Step]:
    asked = rng.sample(questions, rng.randint(2, 3))
    return [
        Step(payload="/greet", title="Hello"),
        *(Step(text=q) for q in asked),
        Step(payload="/confirm_answer_helpful", title="Yes"),
    ]


def ambassador_visitor(rng: random.Random) -> list[Step]:
    payload, title = DEFAULT_INTRODUCTION
    return [Step(text="find an ambassador for health in Hull"), Step(payload=payload, title=title)]


def handoff_visitor(rng: random.Random) -> list[Step]:
    name = rng.choice(NAMES)
    address = f"{name.split()[0].lower()}.{rng.randint(100, 999)}@example.org"
    return [
        Step(text="I'd like to talk to a person"),
        Step(text=name),
        Step(text="email"),
        Step(text=address),
        Step(text=DESCRIPTIONS_SKIPPED),
        Step(payload="/affirm", title="Yes"),
    ]


def visitor_script(seed: int, questions: list[str]) -> tuple[str, list[Step]]:
    """The kind and the messages of visitor number `seed`: the same seed gives the same
    conversation, so both targets hear the same visitors in the same order."""
    rng = random.Random(seed)
    kind = pick_kind(rng)
    if kind == FAQ:
        return kind, faq_visitor(rng, questions)
    if kind == AMBASSADOR:
        return kind, ambassador_visitor(rng)
    return kind, handoff_visitor(rng)


def introduction_button(buttons: list[dict]) -> tuple[str, str] | None:
    """The first "Ask for an introduction" button among a reply's buttons."""
    for button in buttons:
        payload = str(button.get("payload", ""))
        if payload.startswith(INTRODUCTION_PREFIX):
            return payload, str(button.get("title") or payload)
    return None


def is_unavailable(replies: list[dict]) -> bool:
    """The gateway's "assistant is unavailable" system message (Rasa did not answer)."""
    return any(r.get("sender") == "system" and "assistant is unavailable" in str(r.get("text", "")) for r in replies)
