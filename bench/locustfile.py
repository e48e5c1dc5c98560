"""Simulated visitors for `make bench`, run by ops/bench.py as

    locust -f bench/locustfile.py --headless -u N -r N -t 60s --host URL GatewayVisitor|RasaVisitor

Each user holds one conversation at a time: it sends a script's messages one by one,
waiting for each answer and thinking 0.5-1.5 s before the next, then starts another
conversation. Every request is written to $BENCH_SAMPLES (JSON lines) when the run
stops, with its exact time, so ops/bench.py computes its own percentiles.

Locust patches the standard library with gevent: never import this module elsewhere.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid

from locust import FastHttpUser, between, events, task

from bench.scripts import THINK_TIME, Step, introduction_button, is_unavailable, load_questions, visitor_script

QUESTIONS = load_questions()
SAMPLES_PATH = os.environ.get("BENCH_SAMPLES")
_visitors = itertools.count(int(os.environ.get("BENCH_SEED", "1000")))
_samples: list[dict] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, context, start_time=None, **_kwargs):
    _samples.append(
        {
            "started": start_time or time.time(),
            "latency_ms": response_time,
            "ok": exception is None,
            "kind": "start" if name == "start" else "message",
            "script": (context or {}).get("script"),
            "replies": (context or {}).get("replies"),
            "error": None if exception is None else str(exception)[:200],
        }
    )


@events.test_stop.add_listener
def _write(**_kwargs):
    if SAMPLES_PATH:
        with open(SAMPLES_PATH, "w") as out:
            for sample in _samples:
                out.write(json.dumps(sample) + "\n")


def _think() -> None:
    time.sleep(random.uniform(*THINK_TIME))  # gevent-patched: yields to the other visitors


def _check(response, replies_of) -> list[dict]:
    """Mark non-2xx and the "assistant is unavailable" message as failures; the replies."""
    if not 200 <= response.status_code < 300:
        response.failure(f"status {response.status_code}")
        return []
    try:
        replies = replies_of(response.json())
    except (ValueError, KeyError, TypeError):
        response.failure("not the expected JSON")
        return []
    if is_unavailable(replies):
        response.failure("assistant unavailable")
    return replies


class GatewayVisitor(FastHttpUser):
    """A visitor in the widget: the gateway (/chat/api), as the browser calls it."""

    wait_time = between(*THINK_TIME)
    network_timeout = 60.0
    connection_timeout = 10.0

    @task
    def conversation(self) -> None:
        kind, steps = visitor_script(next(_visitors), QUESTIONS)
        with self.client.post("/chat/api/conversations", name="start", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"status {response.status_code}")
                return
            started = response.json()
        url = f"/chat/api/conversations/{started['conversation_id']}/messages"
        headers = {"Authorization": f"Bearer {started['token']}"}
        replies: list[dict] = []
        for number, step in enumerate(steps):
            if number:
                _think()
            if step.payload and step.payload.startswith("/request_introduction"):
                button = introduction_button([b for r in replies for b in r.get("buttons") or []])
                if button:
                    step = Step(payload=button[0], title=button[1])
            with self.client.post(
                url,
                json=step.gateway_json(),
                headers=headers,
                name="message",
                catch_response=True,
                context={"script": kind},
            ) as response:
                replies = _check(response, lambda body: body["replies"])
                response.request_meta["context"]["replies"] = len(replies)  # _record reads it as the block ends


class RasaVisitor(FastHttpUser):
    """The same visitor talking straight to a Rasa server's channel as the gateway would
    (with its RASA_TOKEN), without the gateway."""

    wait_time = between(*THINK_TIME)
    network_timeout = 60.0
    connection_timeout = 10.0

    @task
    def conversation(self) -> None:
        kind, steps = visitor_script(next(_visitors), QUESTIONS)
        sender = f"bench-{uuid.uuid4().hex}"
        for number, step in enumerate(steps):
            if number:
                _think()
            with self.client.post(
                "/webhooks/gateway/webhook",
                json={"sender": sender, "message": step.rasa_message()},
                headers={"Authorization": f"Bearer {os.environ['RASA_TOKEN']}"},
                name="message",
                catch_response=True,
                context={"script": kind},
            ) as response:
                response.request_meta["context"]["replies"] = len(_check(response, lambda body: body))
