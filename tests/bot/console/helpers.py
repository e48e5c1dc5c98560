"""Signing in to the console the way a browser does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from bot.console import auth
from bot.content import loader
from bot.main import create_app
from tests.conftest import SERVICE_TOKEN, make_settings

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_client(database_url: str, **overrides) -> TestClient:
    app = create_app(make_settings(database_url, **overrides))
    with app.state.session_factory.begin() as session:
        loader.load(db_session=session)
        auth.create_staff(
            db_session=session, email="admin@example.gov.uk", display_name="Ada Admin", password=PASSWORD, role="admin"
        )
        auth.create_staff(
            db_session=session, email="agent@example.gov.uk", display_name="Jo Agent", password=PASSWORD, role="agent"
        )
    return TestClient(app, follow_redirects=False)


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next_path: str = "/staff"):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text), "next": next_path},
    )


def service_headers() -> dict:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}"}
