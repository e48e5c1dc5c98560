"""One production-profile deployment for the whole session: its own PostgreSQL cluster and
Redis server, two web instances behind HAProxy, two Rasa servers, two action servers.
Each fault test breaks one part and puts it back before it ends."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.content import loader
from bot.database import migrate
from bot.database.core import make_engine, make_session_factory, session_scope
from ops import prod
from ops.model import ensure_model
from tests.browser.fixtures import ARTIFACTS
from tests.prod.servers import PostgresServer, RedisServer
from tests.prod.stack import ProdStack

pytestmark = pytest.mark.prod


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    server.init()
    server.start()
    yield server
    server.remove()


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prod_stack(postgres_server, redis_server):
    if not Path(prod.HAPROXY).exists() and not shutil.which("haproxy"):
        from tests.prod.servers import _missing

        _missing("HAProxy (apt-get install haproxy; make test installs it)")
    database_url = postgres_server.create_database("mutuals")
    tracker_url = postgres_server.create_database("mutuals_tracker")
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        loader.load(db_session=session)
    engine.dispose()
    settings = Settings(
        environment="production",
        database_url=database_url,
        tracker_database_url=tracker_url,
        redis_url=redis_server.url,
        service_token=secrets.token_urlsafe(32),
        rasa_token=secrets.token_urlsafe(32),
        action_token=secrets.token_urlsafe(32),
        # Generous limits: the fault tests send many messages from one address quickly.
        chat_requests_per_minute_per_address=1000,
        chat_conversations_per_hour_per_address=1000,
        _env_file=None,
    )
    workdir = Path(tempfile.mkdtemp(prefix="mis-prod-"))
    stack = ProdStack(settings=settings, model=ensure_model(quiet=True), workdir=workdir)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        # Every process's log, for a failure seen only in CI.
        kept = ARTIFACTS / "prod-logs"
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(workdir, kept, ignore=shutil.ignore_patterns("*.yml", "*.cfg"), dirs_exist_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def store(prod_stack) -> Session:
    engine = make_engine(prod_stack.settings.database_url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()
