"""Security headers on every response, and what production adds or leaves out."""

import secrets

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.database import migrate
from bot.main import create_app
from tests.conftest import make_settings


def store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def development(tmp_path):
    app = create_app(make_settings(store(tmp_path)))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def production(tmp_path):
    settings = Settings(
        environment="production",
        database_url=store(tmp_path),
        service_token=secrets.token_urlsafe(32),
        rasa_token=secrets.token_urlsafe(32),
        action_token=secrets.token_urlsafe(32),
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_every_response_is_framed_by_nobody_and_sniffed_by_nobody(development):
    for path in ("/", "/staff/login", "/widget/chat.js", "/api/health"):
        response = development.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
    assert "Strict-Transport-Security" not in development.get("/").headers  # HTTP on a laptop


def test_a_conversation_token_and_staff_pages_are_never_cached(development):
    created = development.post("/chat/api/conversations")
    assert created.status_code == 201 and "token" in created.json()
    assert created.headers["Cache-Control"] == "no-store"
    assert development.get("/staff/login").headers["Cache-Control"] == "no-store"
    assert development.get("/staff/static/console/console.css").headers.get("Cache-Control") != "no-store"


def test_production_adds_hsts_and_serves_no_api_docs(production):
    response = production.get("/staff/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    for path in ("/api/docs", "/api/openapi.json"):
        assert production.get(path).status_code == 404, path
