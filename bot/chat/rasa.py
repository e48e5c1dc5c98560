"""The gateway's client for Rasa's REST channel (loopback only)."""

from __future__ import annotations

import logging

import requests

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    pass


def send(
    *, rasa_url: str, sender: str, message: str, timeout: float, session: requests.Session | None = None
) -> list[dict]:
    """Pass one visitor message to Rasa; return the bot's replies."""
    http = session or requests
    try:
        response = http.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
        )
    except requests.RequestException as exc:
        log.warning("Rasa unreachable: %s", type(exc).__name__)
        raise RasaUnavailable(str(exc)) from exc
    if response.status_code != 200:
        log.warning("Rasa answered %s", response.status_code)
        raise RasaUnavailable(f"status {response.status_code}")
    try:
        replies = response.json()
    except ValueError as exc:
        raise RasaUnavailable("not JSON") from exc
    if not isinstance(replies, list):
        raise RasaUnavailable("unexpected reply")
    return replies
