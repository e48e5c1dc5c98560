"""A fake bot web service over real HTTP, so actions are tested with real requests,
timeouts and connection failures."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import client as client_module

HOTLINE = "0800 000 0000"


class FakeApi:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], tuple[int, Any, float]] = {}
        self.requests: list[dict[str, Any]] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, method: str, path: str, body: Any, status: int = 200, delay: float = 0.0) -> None:
        self.routes[(method, path)] = (status, body, delay)

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _serve(self, method: str) -> None:
                path = self.path.split("?", 1)[0]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                api.requests.append(
                    {
                        "method": method,
                        "path": self.path,
                        "json": json.loads(raw) if raw else None,
                        "auth": self.headers.get("Authorization"),
                    }
                )
                status, body, delay = api.routes.get((method, path), (404, {"detail": "not found"}, 0.0))
                if delay:
                    time.sleep(delay)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


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
