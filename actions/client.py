"""The one place that knows the bot web service's URL, token and timeouts."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any

import requests
from dotenv import load_dotenv

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ApiUnavailable(Exception):
    """The bot web service could not be reached, timed out or failed."""


class ApiRejected(Exception):
    """The bot web service refused the request (a 4xx other than 404)."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail


class BotApiClient:
    def __init__(self, base_url: str, token: str, timeout: float, hotline_number: str):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.hotline_number = hotline_number
        self._session = requests.Session()
        self._session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base_url}/api{path}"
        try:
            response = self._session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            log.warning("bot API %s %s failed: %s", method, path, type(exc).__name__)
            raise ApiUnavailable(str(exc)) from exc
        if response.status_code == 404:
            return None
        if 400 <= response.status_code < 500:
            detail = _detail(response)
            log.warning("bot API %s %s refused: %s %s", method, path, response.status_code, detail)
            raise ApiRejected(response.status_code, detail)
        if response.status_code >= 500:
            log.warning("bot API %s %s answered %s", method, path, response.status_code)
            raise ApiUnavailable(f"status {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise ApiUnavailable("the response was not JSON") from exc

    def search_faq(
        self,
        query: str,
        sender_id: str | None,
        previous_faq_id: str | None = None,
        classified_out_of_scope: bool = False,
    ) -> dict:
        body = {"query": query[:500], "sender_id": sender_id, "limit": 3}
        if previous_faq_id:
            body["previous_faq_id"] = previous_faq_id
        if classified_out_of_scope:
            body["classified_out_of_scope"] = True
        return self._request("POST", "/faq/search", json=body)

    def get_faq(self, faq_id: str) -> dict | None:
        return self._request("GET", f"/faq/{requests.utils.quote(faq_id, safe='')}")

    def record_feedback(self, *, sender_id: str | None, faq_id: str | None, helpful: bool) -> dict | None:
        return self._request(
            "POST", "/faq/feedback", json={"sender_id": sender_id, "faq_id": faq_id, "helpful": helpful}
        )

    def search_ambassadors(self, **params: str | None) -> dict:
        query = {k: v[:100] if k != "q" else v[:500] for k, v in params.items() if v}
        return self._request("GET", "/ambassadors", params=query)

    def get_ambassador(self, ambassador_id: str) -> dict | None:
        return self._request("GET", f"/ambassadors/{requests.utils.quote(ambassador_id, safe='')}")

    def create_ticket(self, ticket: dict) -> dict:
        return self._request("POST", "/tickets", json=ticket)


def _detail(response: requests.Response) -> str:
    try:
        return str(response.json().get("detail", ""))
    except ValueError:
        return response.text[:200]


def mask_personal_data_in_logs() -> None:
    """Mask email addresses and phone numbers in the action server's log output (on the
    handlers rasa_sdk has set up, and the action loggers). Safe to call more than once."""
    from bot import logs

    logging.captureWarnings(True)  # warnings too, through the masked handlers
    logs.install("", "rasa_sdk", "actions", "py.warnings")


@functools.lru_cache(maxsize=1)
def get_client() -> BotApiClient:
    """Created on first use, never at import, so tests can set the environment first."""
    mask_personal_data_in_logs()
    load_dotenv(PROJECT_ROOT / ".env")
    return BotApiClient(
        base_url=os.environ.get("BOT_API_URL", "http://127.0.0.1:8000"),
        token=os.environ.get("SERVICE_TOKEN", "dev-service-token-not-for-production"),
        timeout=float(os.environ.get("BOT_API_TIMEOUT_SECONDS", "3")),
        hotline_number=os.environ.get("HOTLINE_NUMBER", "0845 539 0543"),
    )
