"""Settings refuse what would be unsafe in a deployment."""

import secrets

import pytest
from pydantic import ValidationError

from bot.config import DEFAULT_SERVICE_TOKEN, Settings


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_the_default_service_token_is_only_for_development():
    assert settings().service_token == DEFAULT_SERVICE_TOKEN
    for environment in ("test", "production"):
        with pytest.raises(ValidationError, match="SERVICE_TOKEN must be set"):
            settings(environment=environment)


@pytest.mark.parametrize("weak", ["x", "a" * 64, "correcthorsebatterystaple", "abcdabcdabcdabcdabcdabcdabcdabcdabcd"])
def test_production_refuses_a_weak_service_token(weak):
    with pytest.raises(ValidationError, match="at least 32 random characters"):
        settings(environment="production", service_token=weak)


def test_production_takes_a_random_token_and_other_environments_a_short_one():
    token = secrets.token_urlsafe(32)
    assert settings(environment="production", service_token=token).service_token == token
    assert settings(environment="test", service_token="test-token").service_token == "test-token"
