"""Contact routes in answers come from the settings: one change updates every answer."""

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.content import loader
from bot.faq import placeholders
from bot.main import create_app
from tests.conftest import SERVICE_TOKEN, make_settings


def test_fill_uses_the_settings():
    settings = Settings(
        hotline_number="0300 123 4567",
        hotline_email="team@example.gov.uk",
        office_hours="Mon-Thu 09:00-17:00",
        _env_file=None,
    )
    text = "Call {hotline_number} ({office_hours}) or email {hotline_email}."
    assert placeholders.fill(text, settings) == (
        "Call 0300 123 4567 (Monday to Thursday, 9am to 5pm) or email team@example.gov.uk."
    )


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Call {hotline_number}.", []),
        ("Call {hotline_phone}.", ["hotline_phone"]),
        ("Call {hotline_number.", ["a stray brace"]),
        ("No placeholders at all.", []),
    ],
)
def test_unknown_placeholders_are_found(text, unknown):
    assert placeholders.unknown(text) == unknown


def test_the_loader_refuses_an_unknown_placeholder(tmp_path):
    (tmp_path / "faq.yml").write_text(
        """entries:
  - id: contact
    topic: information-service
    question: How do I contact the team?
    alternatives: [contact the team, team phone number, email the team]
    answer: Call the team on {hotline_phone} during office hours.
    source_url: https://www.gov.uk/
    last_reviewed: 2026-12-05
"""
    )
    with pytest.raises(loader.ContentError, match="hotline_phone"):
        loader.read_faq(tmp_path / "faq.yml")


def test_changing_the_hotline_number_changes_every_answer_that_gives_a_contact_route(database_url):
    """The real content, served by the web service with a new number and address."""
    app = create_app(make_settings(database_url, hotline_number="0300 999 0000", hotline_email="new@example.gov.uk"))
    with app.state.session_factory.begin() as session:
        loader.load(db_session=session)
    entries = loader.read_faq(loader.DEFAULT_CONTENT_DIR / "faq.yml")
    with_routes = [e for e in entries if "{hotline_number}" in e.answer or "{hotline_email}" in e.answer]
    assert len(with_routes) >= 5
    with TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as api:
        for entry in with_routes:
            answer = api.get(f"/api/faq/{entry.id}").json()["answer"]
            assert "{" not in answer and "0845" not in answer, entry.id
            assert "0300 999 0000" in answer or "new@example.gov.uk" in answer, entry.id
    app.state.engine.dispose()
