"""Rasa's one input channel: the gateway's (`credentials.yml`), at /webhooks/gateway/webhook.

Rasa's REST channel with a shared secret (RASA_TOKEN): a turn is taken only from a caller
that presents it as a bearer token, in a JSON body. Without it any local process that
learnt a conversation id could speak as that visitor (give consent, read back their
details), and a web page in a browser on the host could post text/plain to it blind.
The gateway also never gives Rasa the public conversation id as the sender, but an HMAC
of it under the same secret (bot/chat/service.py: rasa_sender).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from runtime.hop import refusal, secret_from_environment, unreadable

log = logging.getLogger(__name__)


def _turn_problem(request: Request, secret: str) -> tuple[int, str] | None:
    problem = refusal(request.headers, secret) or unreadable(lambda: json.loads(request.body or b""))
    if problem:
        return problem
    body = request.json
    for field in ("sender", "message"):
        if not isinstance(body.get(field), str) or not body[field]:
            return 400, f"'{field}' must be a non-empty string"
    return None


class GatewayInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        return cls()

    def __init__(self, token: str | None = None) -> None:
        # Read when Rasa starts: a server without the secret does not start.
        self.token = token or secret_from_environment("RASA_TOKEN")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def check(request: Request):
            if request.method != "POST":
                return None
            problem = _turn_problem(request, self.token)
            if problem is None:
                return None
            status, reason = problem
            log.warning("Refused POST %s: %s (%s)", request.path, status, reason)
            return response.json({"error": reason}, status=status)

        return webhook
