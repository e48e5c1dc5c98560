from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot.config import Settings  # noqa: E402
from bot.content import loader  # noqa: E402
from bot.database import migrate  # noqa: E402
from bot.database.core import make_engine, make_session_factory  # noqa: E402
from bot.main import create_app  # noqa: E402
from tests.databases import database  # noqa: E402

# Chromium, its contexts and pages: one Playwright for the whole session.
pytest_plugins = ["tests.browser.fixtures"]

SERVICE_TOKEN = "test-service-token"
RASA_TOKEN = "test-rasa-token"
ACTION_TOKEN = "test-action-token"
BACKENDS = ["sqlite", "postgresql"]


def make_settings(database_url: str, **overrides) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        **{"service_token": SERVICE_TOKEN, "rasa_token": RASA_TOKEN, "action_token": ACTION_TOKEN, **overrides},
        _env_file=None,
    )


def widget_conversation(db_session: Session, conversation_id: str, key: str = RASA_TOKEN) -> str:
    """The Rasa sender id of a widget conversation, linked as the gateway links it on its
    first turn: what an action sends as `sender_id` for that conversation."""
    from bot.chat import service as chat_service

    conversation = chat_service.get(db_session=db_session, conversation_id=conversation_id)
    return chat_service.link_rasa_sender(db_session=db_session, conversation=conversation, key=key)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """A new, migrated, empty store on each backend."""
    with database(request.param, tmp_path) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture
def session_factory(database_url) -> Iterator[sessionmaker]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def db_session(session_factory) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.rollback()
    session.close()


@pytest.fixture(scope="session")
def content_store_url(tmp_path_factory) -> Iterator[str]:
    """A SQLite store with the real content loaded, shared by read-only tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('content') / 'content.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        loader.load(db_session=session)
    engine.dispose()
    return url


@pytest.fixture
def content_session(content_store_url) -> Iterator[Session]:
    engine = make_engine(content_store_url)
    session = make_session_factory(engine)()
    yield session
    session.rollback()
    session.close()
    engine.dispose()


@pytest.fixture
def api(database_url) -> Iterator[TestClient]:
    """The bot web service on a store with the real content, on each backend."""
    app = create_app(make_settings(database_url))
    with app.state.session_factory.begin() as session:
        loader.load(db_session=session)
    with TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as client:
        yield client
    app.state.engine.dispose()
