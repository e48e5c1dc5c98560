"""The production profile as deployed: what listens where, and what is shared."""

from __future__ import annotations

import psutil
import pytest
import requests

from tests.prod.stack import Visitor

pytestmark = pytest.mark.prod


def _listening(pid: int) -> set[tuple[str, int]]:
    process = psutil.Process(pid)
    found = set()
    for each in [process, *process.children(recursive=True)]:
        for connection in each.connections(kind="inet"):
            if connection.status == psutil.CONN_LISTEN:
                found.add((connection.laddr.ip, connection.laddr.port))
    return found


def test_every_process_listens_on_loopback_only(prod_stack):
    for name, process in prod_stack.processes.items():
        addresses = _listening(process.pid)
        assert addresses, f"{name} listens nowhere"
        assert {ip for ip, _ in addresses} == {"127.0.0.1"}, (name, addresses)


def test_rasa_http_api_is_off_and_only_the_gateway_channel_answers(prod_stack):
    rasa = prod_stack.rasa_url(1)
    assert (
        requests.post(f"{rasa}/webhooks/rest/webhook", json={"sender": "x", "message": "hi"}, timeout=5).status_code
        == 404
    )
    assert (
        requests.post(f"{rasa}/webhooks/gateway/webhook", json={"sender": "x", "message": "hi"}, timeout=5).status_code
        == 401
    )
    # The action servers, reached directly, run nothing without ACTION_TOKEN.
    for port in prod_stack.ports.actions:
        assert requests.post(f"http://127.0.0.1:{port}/webhook", json={}, timeout=5).status_code == 401
    assert requests.get(f"{rasa}/status", timeout=5).status_code == 404
    assert requests.post(f"{rasa}/model/parse", json={"text": "hi"}, timeout=5).status_code == 404
    assert requests.get(f"{rasa}/conversations/anyone/tracker", timeout=5).status_code == 404
    # The front passes nothing to Rasa but the gateway's own routes.
    assert requests.post(f"{prod_stack.url}/webhooks/rest/webhook", json={}, timeout=5).status_code == 404


def test_the_internal_api_needs_the_service_token_through_the_front(prod_stack):
    api = f"{prod_stack.url}/api/health"
    assert requests.get(api, timeout=5).status_code == 401
    assert requests.get(api, headers={"Authorization": "Bearer wrong"}, timeout=5).status_code == 401
    token = prod_stack.settings.service_token
    assert requests.get(api, headers={"Authorization": f"Bearer {token}"}, timeout=5).json()["database"] == "ok"


def test_a_conversation_started_on_one_instance_continues_on_the_other(prod_stack):
    me = Visitor(prod_stack.url)
    assert "public service mutual" in me.say("What is a public service mutual?").lower()
    for i in (1, 2):
        direct = requests.get(
            f"{prod_stack.web_url(i)}/chat/api/conversations/{me.conversation_id}/messages",
            headers=me.headers,
            timeout=5,
        )
        assert direct.status_code == 200
        assert [m["sender"] for m in direct.json()["messages"]][:1] == ["user"]


def test_rate_limits_are_shared_by_the_web_instances(prod_stack):
    me = Visitor(prod_stack.url)
    limit = prod_stack.settings.chat_messages_per_minute
    statuses = []
    for i in range(limit + 1):
        # Straight to each instance in turn, so that no one instance sees them all.
        response = requests.post(
            f"{prod_stack.web_url(1 + i % 2)}/chat/api/conversations/{me.conversation_id}/messages",
            json={"text": ""},  # refused as empty after counting, so Rasa is not involved
            headers=me.headers,
            timeout=10,
        )
        statuses.append(response.status_code)
    assert statuses[:limit] == [422] * limit
    assert statuses[limit] == 429
