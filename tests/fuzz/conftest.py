"""The bot web service as a real HTTP server on a free loopback port, for the fuzzer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import uvicorn

from bot.content import loader
from bot.database import migrate
from bot.database.core import make_engine, make_session_factory
from bot.main import create_app
from ops.measure import free_port
from tests.conftest import SERVICE_TOKEN, make_settings


@dataclass
class Conversation:
    id: str
    token: str


@dataclass
class FuzzServer:
    url: str
    service_token: str
    conversation: Conversation
    # Ids that exist, by path parameter name, so that look-ups can succeed too.
    known_ids: dict[str, str]


def _known_ids(url: str) -> dict[str, str]:
    internal = requests.Session()
    internal.headers["Authorization"] = f"Bearer {SERVICE_TOKEN}"
    faq = internal.post(f"{url}/api/faq/search", json={"query": "How long does it take to spin out?"}, timeout=10)
    ambassadors = internal.get(f"{url}/api/ambassadors", params={"sector": "health"}, timeout=10)
    ticket = internal.post(
        f"{url}/api/tickets",
        json={"sender_id": "fuzz-handoff", "reason": "asked_for_person", "consent": False},
        timeout=10,
    )
    for response in (faq, ambassadors, ticket):
        response.raise_for_status()
    return {
        "faq_id": faq.json()["candidates"][0]["id"],
        "ambassador_id": ambassadors.json()["matches"][0]["id"],
        "reference": ticket.json()["reference"],
    }


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory) -> Iterator[FuzzServer]:
    """A fresh, migrated SQLite store with the real content, served by uvicorn as
    `python -m bot serve` serves it. Rasa is "at" a loopback port nobody listens on, so
    every visitor message is answered with the stored "assistant unavailable" message."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'mutuals.db'}"
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        loader.load(db_session=session)
    engine.dispose()

    port = free_port()
    settings = make_settings(
        database_url,
        web_port=port,
        rasa_port=free_port(),  # closed: nothing listens there
        rasa_timeout_seconds=1,
        # An event stream ends after a fraction of a second, so a generated request cannot hang.
        chat_stream_max_seconds=0.3,
        chat_stream_poll_seconds=0.1,
        # Rate limits high enough that generated requests reach the code behind them.
        chat_messages_per_minute=100_000,
        chat_requests_per_minute_per_address=100_000,
        chat_conversations_per_hour_per_address=100_000,
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            proxy_headers=False,
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(target=server.run, name="fuzz-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the bot web service did not start")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    created = requests.post(f"{url}/chat/api/conversations", timeout=10)
    created.raise_for_status()
    body = created.json()
    try:
        yield FuzzServer(
            url=url,
            service_token=SERVICE_TOKEN,
            conversation=Conversation(id=body["conversation_id"], token=body["token"]),
            known_ids=_known_ids(url),
        )
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        app.state.engine.dispose()
