"""Every hop checks its caller, against the real processes: Rasa's gateway channel takes a
turn only with RASA_TOKEN, the action server runs an action only with ACTION_TOKEN, both
refuse JSON sent as text/plain (a web page could post that blind), and Rasa knows a widget
conversation only by an HMAC of its id."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from sqlalchemy import create_engine, select, text

from bot.chat import rasa
from bot.chat import service as chat_service
from bot.hotline.models import Ticket
from tests.e2e.stack import texts

pytestmark = pytest.mark.e2e

TURN = {"sender": "hop-test", "message": "/greet"}


def _post(url: str, *, token: str | None = None, body=None, content_type: str = "application/json", **kwargs):
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, bytes | str) else json.dumps(body if body is not None else TURN)
    return requests.post(url, data=data, headers=headers, timeout=30, **kwargs)


def test_rasa_takes_a_turn_only_from_the_gateway(stack):
    webhook = f"{stack.rasa_url}{rasa.WEBHOOK}"
    token = stack.settings.rasa_token
    assert _post(webhook).status_code == 401
    assert _post(webhook, token="not-the-token").status_code == 403
    # The reproduction: a local process posting a visitor's "yes" as text/plain.
    assert _post(webhook, token=token, content_type="text/plain").status_code == 415
    assert _post(webhook, content_type="text/plain;charset=UTF-8").status_code == 415
    assert _post(webhook, token=token, body=b"{not json").status_code == 400
    assert _post(webhook, token=token, body=["a list"]).status_code == 400
    assert _post(webhook, token=token, body={"sender": "hop-test"}).status_code == 400
    # Rasa's open REST channel is not there at all.
    assert requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=TURN, timeout=30).status_code == 404
    answered = _post(webhook, token=token)
    assert answered.status_code == 200 and "help" in texts(answered.json()).lower()
    log = (stack.workdir / "rasa.log").read_text(errors="replace")
    assert f"Refused POST {rasa.WEBHOOK}: 403 (wrong token)" in log
    assert "Traceback" not in log


def test_rasa_knows_a_widget_conversation_only_by_the_hmac_of_its_id(stack):
    started = requests.post(f"{stack.web_url}/chat/api/conversations", timeout=30).json()
    conversation_id, auth = started["conversation_id"], {"Authorization": f"Bearer {started['token']}"}
    sent = requests.post(
        f"{stack.web_url}/chat/api/conversations/{conversation_id}/messages",
        json={"text": "what is a mutual"},
        headers=auth,
        timeout=60,
    )
    assert sent.status_code == 202 and sent.json()["replies"]
    engine = create_engine(stack.settings.tracker_database_url)
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    expected = chat_service.rasa_sender(conversation_id, stack.settings.rasa_token)
    assert expected in senders
    assert not any(conversation_id in sender for sender in senders)


def test_the_action_server_runs_nothing_without_its_token(stack, store):
    base = f"http://{stack.settings.action_host}:{stack.settings.action_port}"
    victim = f"e2e-{uuid.uuid4().hex}"
    forged = {
        "next_action": "action_submit_handoff",
        "sender_id": victim,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": victim,
            "slots": {"contact_name": "Mallory", "contact_method": "email", "consent": True},
            "latest_message": {"text": "yes", "intent": {"name": "affirm"}},
            "events": [],
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    token = stack.settings.action_token
    assert _post(f"{base}/webhook", body=forged).status_code == 401
    assert _post(f"{base}/webhook", token="not-the-token", body=forged).status_code == 403
    assert _post(f"{base}/webhook", token=token, body=forged, content_type="text/plain").status_code == 415
    assert _post(f"{base}/webhook", token=token, body=b"{not json").status_code == 400
    assert requests.get(f"{base}/actions", timeout=10).status_code == 401
    listed = requests.get(f"{base}/actions", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert {"name": "action_submit_handoff"} in listed.json()
    assert requests.get(f"{base}/health", timeout=10).status_code == 200  # the balancer's probe
    store.expire_all()
    assert store.scalars(select(Ticket).where(Ticket.contact_name == "Mallory")).all() == []
    log = (stack.workdir / "actions.log").read_text(errors="replace")
    assert "Refused POST /webhook: 401 (no bearer token)" in log
    assert "Traceback" not in log
