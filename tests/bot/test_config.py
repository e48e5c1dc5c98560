"""Settings refuse what would be unsafe in a deployment."""

import secrets
import subprocess
import sys

import pytest
from pydantic import ValidationError

from bot.config import DEFAULT_SECRETS, Settings

# Every secret: the internal API's, the gateway channel's in Rasa, the action server's.
SECRETS = sorted(DEFAULT_SECRETS)


def settings(**values) -> Settings:
    strong = {name: secrets.token_urlsafe(32) for name in SECRETS}
    return Settings(_env_file=None, **{**(strong if values.get("environment") else {}), **values})


def test_the_development_secrets_are_only_for_development():
    assert {name: getattr(settings(), name) for name in SECRETS} == DEFAULT_SECRETS
    for name in SECRETS:
        for environment in ("test", "production"):
            with pytest.raises(ValidationError, match=f"{name.upper()} must be set"):
                settings(environment=environment, **{name: DEFAULT_SECRETS[name]})


@pytest.mark.parametrize("name", SECRETS)
@pytest.mark.parametrize("weak", ["x", "a" * 64, "correcthorsebatterystaple", "abcdabcdabcdabcdabcdabcdabcdabcdabcd"])
def test_production_refuses_a_weak_secret(name, weak):
    with pytest.raises(ValidationError, match=f"{name.upper()} must be at least 32 random characters"):
        settings(environment="production", **{name: weak})


@pytest.mark.parametrize("name", SECRETS)
def test_production_takes_a_random_secret_and_other_environments_a_short_one(name):
    token = secrets.token_urlsafe(32)
    assert getattr(settings(environment="production", **{name: token}), name) == token
    assert getattr(settings(environment="test", **{name: "test-token"}), name) == "test-token"


def test_office_hours_that_cannot_be_read_stop_the_service_at_start(tmp_path):
    from bot.hotline.office_hours import OfficeHoursError
    from bot.main import create_app
    from tests.conftest import make_settings

    settings = make_settings(f"sqlite:///{tmp_path / 'x.db'}", office_hours="whenever we like")
    with pytest.raises(OfficeHoursError):
        create_app(settings)


def test_the_store_and_the_settings_import_none_of_the_domains():
    """bot/database and bot/config sit below the domains: Alembic gets the model list in
    bot/migrations/env.py, and office hours are read in bot/hotline."""
    code = (
        "import sys, bot.config, bot.database.core, bot.database.migrate; "
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in "
        "[['bot', d] for d in ('chat', 'console', 'directory', 'faq', 'hotline', 'content')]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
