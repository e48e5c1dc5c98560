"""A fake bot web service over real HTTP, so actions are tested with real requests,
timeouts and connection failures."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import client as client_module
from tests.fakes import FakeApi

HOTLINE = "0800 000 0000"


def _point_client_at(monkeypatch, url: str, timeout: str = "1") -> None:
    monkeypatch.setenv("BOT_API_URL", url)
    monkeypatch.setenv("SERVICE_TOKEN", "fake-token")
    monkeypatch.setenv("BOT_API_TIMEOUT_SECONDS", timeout)
    monkeypatch.setenv("HOTLINE_NUMBER", HOTLINE)
    monkeypatch.setattr(client_module, "load_dotenv", lambda *a, **k: None)
    client_module.get_client.cache_clear()


@pytest.fixture
def fake_api(monkeypatch):
    api = FakeApi()
    _point_client_at(monkeypatch, api.url)
    yield api
    api.close()
    client_module.get_client.cache_clear()


@pytest.fixture
def api_down(monkeypatch):
    """A port nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _point_client_at(monkeypatch, f"http://127.0.0.1:{port}")
    yield
    client_module.get_client.cache_clear()


def tracker(
    *,
    text: str = "",
    intent: str | None = None,
    entities: list[dict] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    return Tracker(
        sender_id="conv-test",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9} if intent else {},
            "entities": entities or [],
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action, tracker_: Tracker):
    """Run an action as the action server would; return messages, slots set and events."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, events
