from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.chat import rasa as rasa_channel
from bot.main import create_app
from tests.conftest import make_settings
from tests.fakes import FakeApi

GREETING = [
    {"recipient_id": "x", "text": "Hello.", "buttons": [{"title": "Find an ambassador", "payload": "/find_ambassador"}]}
]


@pytest.fixture
def fake_rasa():
    rasa = FakeApi()
    rasa.on("POST", rasa_channel.WEBHOOK, GREETING)
    yield rasa
    rasa.close()


def gateway_client(database_url: str, rasa_port: int, **overrides) -> TestClient:
    defaults = {"rasa_timeout_seconds": 2, "chat_stream_max_seconds": 1.0, "chat_stream_poll_seconds": 0.05}
    settings = make_settings(database_url, rasa_port=rasa_port, **{**defaults, **overrides})
    return TestClient(create_app(settings))


@pytest.fixture
def gateway(database_url, fake_rasa):
    port = int(fake_rasa.url.rsplit(":", 1)[1])
    with gateway_client(database_url, port) as client:
        yield client
    client.app.state.engine.dispose()


def start(client: TestClient) -> tuple[str, dict]:
    body = client.post("/chat/api/conversations").json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}
