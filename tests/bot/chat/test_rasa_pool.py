"""Round robin over several Rasa servers, skipping one that refuses the connection."""

from __future__ import annotations

import pytest

from bot.chat import rasa
from ops.measure import free_port
from tests.fakes import FakeApi

WEBHOOK = rasa.WEBHOOK
TOKEN = "pool-token"


@pytest.fixture
def servers():
    made = []
    for name in ("first", "second"):
        api = FakeApi()
        api.on("POST", WEBHOOK, [{"text": f"from {name}"}])
        made.append(api)
    yield made
    for api in made:
        api.close()


def test_messages_go_to_each_server_in_turn(servers):
    pool = rasa.RasaPool([api.url for api in servers], TOKEN)
    answers = [pool.send(sender="c1", message=f"m{i}", timeout=5)[0]["text"] for i in range(4)]
    assert answers == ["from first", "from second", "from first", "from second"]
    assert [r["json"]["message"] for r in servers[0].requests] == ["m0", "m2"]
    # Every turn carries the gateway channel's secret.
    assert {r["auth"] for api in servers for r in api.requests} == {f"Bearer {TOKEN}"}


def test_a_server_that_refuses_is_skipped(servers):
    closed = f"http://127.0.0.1:{free_port()}"
    pool = rasa.RasaPool([closed, servers[0].url], TOKEN)
    answers = [pool.send(sender="c1", message=f"m{i}", timeout=5)[0]["text"] for i in range(3)]
    assert answers == ["from first"] * 3
    assert len(servers[0].requests) == 3  # each message reached Rasa exactly once


def test_a_server_that_took_the_message_and_failed_is_not_retried(servers):
    servers[0].on("POST", WEBHOOK, {"detail": "boom"}, status=500)
    pool = rasa.RasaPool([servers[0].url, servers[1].url], TOKEN)
    with pytest.raises(rasa.RasaUnavailable):
        pool.send(sender="c1", message="m0", timeout=5)
    assert servers[1].requests == []  # it may have acted on the message: not sent twice


def test_a_server_that_hangs_times_out_without_a_second_try(servers):
    servers[0].on("POST", WEBHOOK, [{"text": "late"}], delay=2)
    pool = rasa.RasaPool([servers[0].url, servers[1].url], TOKEN)
    with pytest.raises(rasa.RasaUnavailable):
        pool.send(sender="c1", message="m0", timeout=0.5)
    assert servers[1].requests == []


def test_all_refusing_is_unavailable():
    pool = rasa.RasaPool([f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"], TOKEN)
    with pytest.raises(rasa.RasaUnavailable):
        pool.send(sender="c1", message="m0", timeout=2)
