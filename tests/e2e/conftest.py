from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.content import loader
from bot.database import migrate
from bot.database.core import make_engine, make_session_factory, session_scope
from ops.measure import free_port
from ops.model import ensure_model
from tests.conftest import make_settings
from tests.databases import database
from tests.e2e.stack import Stack


@contextmanager
def running_stack(backend: str, workdir: Path, **overrides) -> Iterator[Stack]:
    """The three processes on one backend: SQLite files, or PostgreSQL databases."""
    with (
        database(backend, workdir, prefix="mis_e2e") as url,
        database(backend, workdir, prefix="mis_e2e_tracker") as tracker_url,
    ):
        migrate.upgrade(url)
        engine = make_engine(url)
        with session_scope(make_session_factory(engine)) as session:
            loader.load(db_session=session)
        engine.dispose()
        settings = make_settings(
            url,
            tracker_database_url=tracker_url,
            web_port=free_port(),
            rasa_port=free_port(),
            action_port=free_port(),
            **overrides,
        )
        running = Stack(settings=settings, model=ensure_model(quiet=True), workdir=workdir)
        running.start()
        running.backend = backend
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def stack(request, tmp_path_factory):
    with running_stack(request.param, tmp_path_factory.mktemp(f"stack-{request.param}")) as running:
        yield running


@pytest.fixture
def store(stack):
    engine = make_engine(stack.settings.database_url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()
