"""The gateway's client for Rasa's gateway channel (runtime/rasa_channel.py).

Every turn carries RASA_TOKEN; the sender is the HMAC of the conversation id that only the
gateway can make (bot/chat/service.py: rasa_sender), never the public id.

With several Rasa servers (RASA_URLS) the gateway sends round robin. A server that
refuses the connection has not seen the message, so the next one is tried; a server that
took the message and then timed out or failed is not retried, since it may have acted on
it (Rasa's lock store keeps one conversation's messages in order on whichever server).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Sequence

import requests

log = logging.getLogger(__name__)

WEBHOOK = "/webhooks/gateway/webhook"


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class RasaUnavailable(Exception):
    pass


def send(
    *,
    rasa_url: str,
    sender: str,
    message: str,
    timeout: float,
    token: str,
    session: requests.Session | None = None,
) -> list[dict]:
    """Pass one visitor message to one Rasa server; return the bot's replies."""
    http = session or requests
    try:
        response = http.post(
            f"{rasa_url}{WEBHOOK}",
            json={"sender": sender, "message": message},
            headers=headers(token),
            timeout=timeout,
        )
    except requests.ConnectionError as exc:
        log.warning("Rasa at %s unreachable: %s", rasa_url, type(exc).__name__)
        raise NotReached(str(exc)) from exc
    except requests.RequestException as exc:
        log.warning("Rasa at %s did not answer: %s", rasa_url, type(exc).__name__)
        raise RasaUnavailable(str(exc)) from exc
    if response.status_code != 200:
        log.warning("Rasa at %s answered %s", rasa_url, response.status_code)
        raise RasaUnavailable(f"status {response.status_code}")
    try:
        replies = response.json()
    except ValueError as exc:
        raise RasaUnavailable("not JSON") from exc
    if not isinstance(replies, list):
        raise RasaUnavailable("unexpected reply")
    return replies


class NotReached(RasaUnavailable):
    """The connection was refused or could not be made: the message never arrived."""


class RasaPool:
    """Rasa servers taken in turn; one that cannot be reached is skipped for this message."""

    def __init__(self, urls: Sequence[str], token: str):
        self.token = token
        if not urls:
            raise ValueError("at least one Rasa server is needed")
        self.urls = list(urls)
        self._turn = itertools.cycle(range(len(self.urls)))
        self._lock = threading.Lock()

    def _order(self) -> list[str]:
        with self._lock:
            first = next(self._turn)
        return self.urls[first:] + self.urls[:first]

    def send(self, *, sender: str, message: str, timeout: float) -> list[dict]:
        last: RasaUnavailable | None = None
        for url in self._order():
            try:
                return send(rasa_url=url, sender=sender, message=message, timeout=timeout, token=self.token)
            except NotReached as exc:
                last = exc
        raise last or RasaUnavailable("no Rasa server")
