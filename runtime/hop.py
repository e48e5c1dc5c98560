"""The check every internal hop makes before it acts on a call (gateway -> Rasa, Rasa ->
action server): a JSON body, and the hop's own secret as a bearer token.

Shared by Rasa's gateway channel (runtime/rasa_channel.py) and the action server
(runtime/action_server.py), both Sanic apps; kept free of Sanic so it is tested alone.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Callable, Mapping
from typing import Any


class MissingSecret(RuntimeError):
    pass


def secret_from_environment(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise MissingSecret(f"{name} is not set: this process refuses to start without it")
    return value


def refusal(headers: Mapping[str, str], secret: str) -> tuple[int, str] | None:
    """(status, reason) when a POST must be refused, or None.

    JSON sent as text/plain or a form is refused first: a web page in any browser on the
    host can send those without a CORS preflight, so they are never read.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    content_type = lowered.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return 415, "the body must be sent as application/json"
    return unauthorised(lowered, secret)


def unauthorised(headers: Mapping[str, str], secret: str) -> tuple[int, str] | None:
    lowered = {key.lower(): value for key, value in headers.items()}
    scheme, _, token = lowered.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return 401, "no bearer token"
    if not hmac.compare_digest(token.strip().encode(), secret.encode()):
        return 403, "wrong token"
    return None


def unreadable(load: Callable[[], Any]) -> tuple[int, str] | None:
    """(400, reason) when the body is not a JSON object; `load` parses it."""
    try:
        document = load()
    except (ValueError, UnicodeDecodeError, json.JSONDecodeError):
        return 400, "the body is not valid JSON"
    except Exception as exc:  # noqa: BLE001 - Sanic wraps a parse error in its own exception
        if type(exc).__name__ in ("InvalidUsage", "BadRequest"):
            return 400, "the body is not valid JSON"
        raise
    if not isinstance(document, dict):
        return 400, "the body must be a JSON object"
    return None
