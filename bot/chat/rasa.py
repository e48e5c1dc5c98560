"""The gateway's client for Rasa's REST channel (loopback only).

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


class RasaUnavailable(Exception):
    pass


def send(
    *, rasa_url: str, sender: str, message: str, timeout: float, session: requests.Session | None = None
) -> list[dict]:
    """Pass one visitor message to one Rasa server; return the bot's replies."""
    http = session or requests
    try:
        response = http.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
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

    def __init__(self, urls: Sequence[str]):
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
                return send(rasa_url=url, sender=sender, message=message, timeout=timeout)
            except NotReached as exc:
                last = exc
        raise last or RasaUnavailable("no Rasa server")
