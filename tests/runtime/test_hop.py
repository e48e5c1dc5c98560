"""The check each internal hop makes (runtime/hop.py); tests/e2e/test_hops.py runs it in the
real Rasa and action server."""

from __future__ import annotations

import json

import pytest

from runtime import action_server, hop

SECRET = "s3cret-for-the-hop"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Content-Type": "application/json", "Authorization": f"Bearer {SECRET}"}, None),
        ({"content-type": "application/json; charset=utf-8", "authorization": f"bearer {SECRET}"}, None),
        ({"Content-Type": "text/plain", "Authorization": f"Bearer {SECRET}"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Authorization": f"Bearer {SECRET}"}, 415),
        ({"Content-Type": "application/json"}, 401),
        ({"Content-Type": "application/json", "Authorization": f"Basic {SECRET}"}, 401),
        ({"Content-Type": "application/json", "Authorization": "Bearer "}, 401),
        ({"Content-Type": "application/json", "Authorization": "Bearer wrong"}, 403),
        ({"Content-Type": "application/json", "Authorization": f"Bearer {SECRET}x"}, 403),
    ],
)
def test_a_post_needs_json_and_the_secret(headers, expected):
    problem = hop.refusal(headers, SECRET)
    assert (problem[0] if problem else None) == expected


@pytest.mark.parametrize(("body", "expected"), [(b'{"a": 1}', None), (b"{nope", 400), (b"[1]", 400), (b"", 400)])
def test_a_body_must_be_a_json_object(body, expected):
    problem = hop.unreadable(lambda: json.loads(body))
    assert (problem[0] if problem else None) == expected


def test_the_action_server_does_not_start_without_its_secret(monkeypatch, capsys):
    monkeypatch.delenv("ACTION_TOKEN", raising=False)
    assert action_server.main(["--actions", "actions", "--port", "1"]) == 2
    assert "ACTION_TOKEN is not set" in capsys.readouterr().err


def test_rasas_channel_does_not_start_without_its_secret(monkeypatch):
    from runtime.rasa_channel import GatewayInput

    monkeypatch.delenv("RASA_TOKEN", raising=False)
    with pytest.raises(hop.MissingSecret, match="RASA_TOKEN"):
        GatewayInput.from_credentials(None)
    monkeypatch.setenv("RASA_TOKEN", SECRET)
    channel = GatewayInput.from_credentials(None)
    assert channel.name() == "gateway" and channel.token == SECRET
