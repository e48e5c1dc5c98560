"""What visitors get: realistic messages through the widget gateway, graded by kind.

    python -m ops.visitors --set dev          # the dev set: misses printed, for tuning
    python -m ops.visitors --set test         # the frozen test set (report only; never tune on it)

`make eval` runs both through `ops.eval` (part "visitors") and gates the test set. Each
message (or two-turn dialogue) starts a new conversation with `POST /chat/api/conversations`
and is sent with `POST .../messages`, exactly as the widget does; the first reply is
graded by what a visitor would see:

- `faq`: a reply holds the answer of an acceptable entry (its first 60 characters);
- `handoff` and `introduction`: the handoff to the hotline team starts;
- `ambassadors`: the ambassadors offered include every expected one, and at least half of
  those offered were expected; `no_ambassador`: nobody is offered and the hotline is;
  `ambassador_contact`: the reply says that personal contact details are not shared;
- `out_of_scope` and `no_answer`: no FAQ answer is given;
- a dialogue's second turn is graded by its own kind, after the first turn.

The sets were written independently of `data/` (see their headers); docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETS = {"dev": ROOT / "tests" / "data" / "visitors_dev.yml", "test": ROOT / "tests" / "data" / "visitors_test.yml"}
ANSWER_PREFIX = 60

FAQ_KINDS = ("faq",)
HANDOFF_KINDS = ("handoff",)
DECLINE_KINDS = ("out_of_scope", "no_answer")
AMBASSADOR_KINDS = ("ambassadors", "no_ambassador", "ambassador_contact", "introduction")
KINDS = FAQ_KINDS + HANDOFF_KINDS + DECLINE_KINDS + AMBASSADOR_KINDS

# Gates on the frozen test set (docs/evaluation.md). The dev set is for tuning: reported only.
MIN_FAQ_RIGHT = 0.92
MIN_HANDOFF_STARTED = 0.98
MIN_DECLINED = 0.95
MIN_AMBASSADORS_RIGHT = 0.95
MIN_FOLLOW_UPS_RIGHT = 0.85
MIN_ANSWER_RELIABILITY = 0.95

HANDOFF_STARTS = (
    "I'll pass you to the hotline team",
    "I'll pass your question to the hotline team",
    "I'll pass your complaint to the hotline team",
    "the hotline team will make the introduction",
    "What is your name?",
)
NO_AMBASSADOR = ("could not find an ambassador", "none is listed in", "No ambassador")
# What the assistant says when asked for an ambassador's own contact details (the directory's
# answer, or the start of an introduction through the hotline team).
CONTACT_NOT_SHARED = (
    "are not shared here: they are kept private",
    "contact details are not shared here, so the hotline",
)


def normalise(text: str) -> str:
    return " ".join(str(text or "").split())


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[dict, ...] = ()

    @classmethod
    def from_api(cls, message: dict) -> Reply:
        return cls(
            normalise(message.get("text")), tuple(b for b in message.get("buttons") or [] if isinstance(b, dict))
        )


@dataclass
class Seen:
    """What a visitor saw in the replies to one message."""

    answered: list[str] = field(default_factory=list)  # FAQ entries whose answer was given
    suggested: list[str] = field(default_factory=list)  # "did you mean" and related titles
    ambassadors: list[str] = field(default_factory=list)
    handoff: bool = False
    no_ambassador: bool = False
    contact_not_shared: bool = False
    hotline_offered: bool = False

    def summary(self) -> str:
        parts = []
        if self.answered:
            parts.append("answered " + ",".join(self.answered))
        if self.handoff:
            parts.append("handoff")
        if self.ambassadors:
            parts.append("ambassadors " + ",".join(self.ambassadors))
        if self.no_ambassador:
            parts.append("no ambassador")
        if self.contact_not_shared:
            parts.append("contact not shared")
        if self.suggested and not self.answered:
            parts.append(f"suggested {len(self.suggested)}")
        return "; ".join(parts) or "no answer"


def answer_prefixes(answers: dict[str, str], chars: int = ANSWER_PREFIX) -> dict[str, str]:
    return {faq_id: normalise(answer)[:chars] for faq_id, answer in answers.items() if normalise(answer)}


def see(replies: Sequence[Reply], prefixes: dict[str, str], names: Collection[str] = ()) -> Seen:
    """What the replies showed. `names`: the directory's ambassadors, whose cards start with
    the name (an introduction button follows only for one confirmed as still mentoring)."""
    seen = Seen()
    for reply in replies:
        card = reply.text.split("\n", 1)[0].split(" – ", 1)[0].strip()
        if card in names and card not in seen.ambassadors:
            seen.ambassadors.append(card)
        for faq_id, prefix in prefixes.items():
            if prefix and prefix in reply.text and faq_id not in seen.answered:
                seen.answered.append(faq_id)
        if any(start in reply.text for start in HANDOFF_STARTS):
            seen.handoff = True
        if any(phrase in reply.text for phrase in NO_AMBASSADOR):
            seen.no_ambassador = True
        if any(phrase in reply.text for phrase in CONTACT_NOT_SHARED):
            seen.contact_not_shared = True
        for button in reply.buttons:
            payload = str(button.get("payload") or "")
            if payload.startswith("/request_introduction{"):
                try:
                    name = json.loads(payload[len("/request_introduction") :])["ambassador_name"]
                except (ValueError, KeyError, TypeError):
                    continue
                if name not in seen.ambassadors:
                    seen.ambassadors.append(name)
            elif payload.startswith("/ask_faq{"):
                seen.suggested.append(str(button.get("title") or ""))
            elif payload in ("/affirm", "/request_human"):
                seen.hotline_offered = True
    return seen


def grade(turn: dict, seen: Seen) -> bool:
    """Whether what the visitor saw is right for a turn of this kind."""
    kind = turn["kind"]
    if kind == "faq":
        return any(faq_id in seen.answered for faq_id in turn.get("faq_ids") or [])
    if kind in ("handoff", "introduction"):
        return seen.handoff
    if kind in DECLINE_KINDS:
        return not seen.answered
    if kind == "ambassadors":
        expected = {n.lower() for n in turn.get("names") or []}
        offered = {n.lower() for n in seen.ambassadors}
        return bool(expected) and expected <= offered and len(offered & expected) * 2 >= len(offered)
    if kind == "no_ambassador":
        return not seen.ambassadors and not seen.answered and (seen.hotline_offered or seen.handoff)
    if kind == "ambassador_contact":
        return seen.contact_not_shared
    raise ValueError(f"unknown kind {kind!r}")


def load(path: Path) -> list[dict]:
    items = yaml.safe_load(path.read_text())["items"]
    for item in items:
        for turn in turns_of(item):
            if turn["kind"] not in KINDS:
                raise ValueError(f"{item['id']}: unknown kind {turn['kind']!r}")
    return items


def turns_of(item: dict) -> list[dict]:
    return item["turns"] if item.get("turns") else [item]


def share(count: int, total: int) -> float | None:
    return round(count / total, 3) if total else None


def figures(outcomes: Sequence[dict]) -> dict:
    """Per-kind figures of one set's outcomes (each with `turns`: [{kind, right, seen...}])."""
    single = [o["turns"][0] for o in outcomes if len(o["turns"]) == 1]
    follow_ups = [o["turns"][1] for o in outcomes if len(o["turns"]) == 2]

    def right_share(turns: Iterable[dict]) -> tuple[float | None, int, int]:
        turns = list(turns)
        right = sum(t["right"] for t in turns)
        return share(right, len(turns)), right, len(turns)

    result: dict[str, Any] = {"messages": len(outcomes), "by_kind": {}}
    for kind in KINDS:
        value, right, n = right_share(t for t in single if t["kind"] == kind)
        if n:
            result["by_kind"][kind] = {"right": value, "n": n, "missed": n - right}
    groups = {
        "faq_right": FAQ_KINDS,
        "handoff_started": HANDOFF_KINDS,
        "declined": DECLINE_KINDS,
        "ambassadors_right": AMBASSADOR_KINDS,
    }
    for name, kinds in groups.items():
        value, right, n = right_share(t for t in single if t["kind"] in kinds)
        result[name] = {"value": value, "right": right, "n": n}
    value, right, n = right_share(follow_ups)
    result["follow_ups_right"] = {"value": value, "right": right, "n": n}
    # Of the FAQ answers given (first replies and follow-ups), the share that were right.
    answered = [t for t in single + follow_ups if t["answered"]]
    reliable = sum(t["kind"] == "faq" and t["right"] for t in answered)
    result["answer_reliability"] = {"value": share(reliable, len(answered)), "right": reliable, "n": len(answered)}
    all_turns = single + follow_ups
    result["first_reply_right"] = {
        "value": share(sum(t["right"] for t in single), len(single)),
        "n": len(single),
    }
    times = sorted(t["seconds"] for o in outcomes for t in o["turns"] if "seconds" in t)
    result["reply_seconds_median"] = times[len(times) // 2] if times else None
    result["reply_seconds_p95"] = times[min(len(times) - 1, int(len(times) * 0.95))] if times else None
    result["errors"] = sum(1 for t in all_turns if "error" in t)
    result["misses"] = [o for o in outcomes if not all(t["right"] for t in o["turns"])]
    return result


GATES = (
    ("faq_right", MIN_FAQ_RIGHT, "FAQ answered right in the first reply"),
    ("handoff_started", MIN_HANDOFF_STARTED, "A request for a person starts the handoff"),
    ("declined", MIN_DECLINED, "Out of scope or unanswerable: no FAQ answer"),
    ("ambassadors_right", MIN_AMBASSADORS_RIGHT, "Ambassador requests right (including nobody matches)"),
    ("follow_ups_right", MIN_FOLLOW_UPS_RIGHT, "Follow-up questions right (second turn)"),
    ("answer_reliability", MIN_ANSWER_RELIABILITY, "Of the FAQ answers given, the share that were right"),
)


class Conversation:
    """One conversation through the widget gateway."""

    def __init__(self, http, web_url: str):
        created = http.post(f"{web_url}/chat/api/conversations", timeout=30)
        created.raise_for_status()
        body = created.json()
        self._http, self._url = http, f"{web_url}/chat/api/conversations/{body['conversation_id']}/messages"
        self._headers = {"Authorization": f"Bearer {body['token']}"}

    def send(self, text: str) -> tuple[list[Reply], float]:
        for attempt in range(6):
            started = time.monotonic()
            response = self._http.post(self._url, json={"text": text}, headers=self._headers, timeout=60)
            if response.status_code != 404:
                break
            time.sleep(0.2 * (attempt + 1))  # the new conversation is not readable yet
        response.raise_for_status()
        return [Reply.from_api(m) for m in response.json().get("replies", [])], time.monotonic() - started


def converse(http, web_url: str, item: dict, prefixes: dict[str, str], names: Collection[str] = ()) -> dict:
    import requests

    outcome: dict[str, Any] = {"id": item["id"], "turns": []}
    try:
        conversation = Conversation(http, web_url)
    except (requests.RequestException, ValueError, KeyError) as exc:
        conversation, error = None, f"{exc.__class__.__name__}: {exc}"
    for turn in turns_of(item):
        graded: dict[str, Any] = {"kind": turn["kind"], "text": turn["text"]}
        for key in ("faq_ids", "names"):
            if turn.get(key):
                graded[key] = turn[key]
        try:
            if conversation is None:
                raise RuntimeError(error)
            replies, seconds = conversation.send(turn["text"])
            seen = see(replies, prefixes, names)
            graded.update(right=grade(turn, seen), seen=seen.summary(), answered=seen.answered)
            graded["seconds"] = round(seconds, 3)
            graded["replies"] = [r.text[:160] for r in replies]
        except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
            graded.update(right=False, answered=[], error=f"{exc.__class__.__name__}: {exc}")
        outcome["turns"].append(graded)
    return outcome


def run_sets(
    names: Sequence[str], say: Callable[[str], None] = print, sets: dict[str, Path] | None = None
) -> dict[str, dict]:
    """Start the whole assistant, send every item of each named set, return their figures."""
    import requests
    from sqlalchemy.orm import Session

    from bot.database.core import make_engine
    from bot.directory import service as directory_service
    from bot.faq import placeholders
    from bot.faq import service as faq_service
    from ops.eval import full_stack
    from ops.model import ensure_model

    sets = sets or SETS
    loaded = {name: load(sets[name]) for name in names}
    results: dict[str, dict] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mis-visitors-") as tmp, full_stack(Path(tmp), ensure_model(True)) as stack:
        say(f"  stack ready in {time.monotonic() - started:.0f} s at {stack.web_url}")
        engine = make_engine(stack.settings.database_url)
        with Session(engine) as session:
            prefixes = answer_prefixes(
                {
                    e.id: placeholders.fill(e.answer, stack.settings)
                    for e in faq_service.list_published(db_session=session)
                }
            )
            names = frozenset(a.name for a in directory_service.list_active(db_session=session))
        engine.dispose()
        http = requests.Session()
        for name, items in loaded.items():
            outcomes = []
            for number, item in enumerate(items, start=1):
                outcomes.append(converse(http, stack.web_url, item, prefixes, names))
                if number % 50 == 0 or number == len(items):
                    say(f"  {name}: {number}/{len(items)} sent")
            results[name] = figures(outcomes)
            results[name]["source"] = str(sets[name]).removeprefix(f"{ROOT}/")
            results[name]["kinds"] = dict(Counter(t["kind"] for i in items for t in turns_of(i)))
    return results


def describe(name: str, result: dict) -> list[str]:
    lines = [f"{name}: {result['messages']} messages or dialogues"]
    for key, threshold, description in GATES:
        figure = result[key]
        value = "n/a" if figure["value"] is None else f"{figure['value']:.3f}"
        lines.append(f"  {description}: {value} ({figure['right']}/{figure['n']}; needs ≥ {threshold:.2f})")
    for kind, f in result["by_kind"].items():
        lines.append(f"    {kind}: {f['right']:.3f} (n = {f['n']}, missed {f['missed']})")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.visitors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="which set (default: dev)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "visitors.json")
    args = parser.parse_args(argv)
    results = run_sets(args.set or ["dev"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    for name, result in results.items():
        print("\n".join(describe(name, result)))
        for miss in result["misses"]:
            for turn in miss["turns"]:
                if not turn["right"]:
                    expected = turn.get("faq_ids") or turn.get("names") or ""
                    print(
                        f"  MISS {miss['id']} [{turn['kind']}] {turn['text'][:110]!r} -> {turn.get('seen')} {expected}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
