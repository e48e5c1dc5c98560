"""The lock store the Rasa servers share: one message of a conversation at a time, in the
order the tickets were issued, across separate store instances (as two servers are)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from ops import endpoints
from runtime.rasa_lock_store import AtomicRedisLockStore
from tests.prod.servers import RedisServer


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def run(coroutine):
    """asyncio.run in a thread of its own: a browser test's Playwright may hold this one's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _store(redis_server, **extra) -> AtomicRedisLockStore:
    settings = endpoints.lock_store(redis_server.url)
    settings.pop("type")
    return AtomicRedisLockStore(EndpointConfig(**{**settings, **extra}))


def test_two_servers_never_hold_one_conversation_at_once_and_keep_the_order(redis_server):
    async def scenario():
        servers = [_store(redis_server), _store(redis_server)]
        active, order, overlaps = set(), [], []

        async def handle(i: int):
            async with servers[i % 2].lock("conv-a"):
                if active:
                    overlaps.append(i)
                active.add(i)
                order.append(i)
                await asyncio.sleep(0.02)
                active.discard(i)

        tasks = []
        for i in range(12):
            tasks.append(asyncio.create_task(handle(i)))
            await asyncio.sleep(0.005)  # arrivals a few milliseconds apart, as a burst
        await asyncio.gather(*tasks)
        return order, overlaps

    order, overlaps = run(scenario())
    assert overlaps == []
    assert order == list(range(12))


def test_a_ticket_whose_server_died_is_skipped_after_its_lifetime(redis_server):
    async def scenario():
        store = _store(redis_server)
        issued, served, marker = store._keys("conv-b")
        # A server took ticket 1 and died: its marker lives 200 ms and nobody releases it.
        await store._issue(keys=[issued, served, marker], args=[200, 60_000])
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with store.lock("conv-b", lock_lifetime=5):
            waited = loop.time() - started
        return waited

    waited = run(scenario())
    assert 0.1 < waited < 3


def test_a_request_that_gives_up_waiting_lets_the_next_one_through_in_turn(redis_server):
    async def scenario():
        store = _store(redis_server)
        order = []

        async def first():
            async with store.lock("conv-c"):
                await asyncio.sleep(0.3)
                order.append("first")

        async def impatient():
            async with store.lock("conv-c"):
                order.append("impatient")

        async def third():
            async with store.lock("conv-c"):
                order.append("third")

        one = asyncio.create_task(first())
        await asyncio.sleep(0.05)
        two = asyncio.create_task(impatient())
        await asyncio.sleep(0.05)
        three = asyncio.create_task(third())
        await asyncio.sleep(0.05)
        two.cancel()  # the gateway gave up on this message
        await asyncio.gather(one, three, return_exceptions=True)
        return order

    assert run(scenario()) == ["first", "third"]


def test_redis_down_is_a_lock_error():
    async def scenario():
        store = AtomicRedisLockStore(host="127.0.0.1", port=1, socket_timeout=0.5)
        async with store.lock("conv-d"):
            pass

    with pytest.raises(LockError):
        run(scenario())


def test_a_restarted_redis_is_used_again_without_an_error(redis_server):
    def restart():
        redis_server.stop()
        redis_server.start()  # same port, nothing remembered

    async def scenario():
        store = _store(redis_server)  # one store, one event loop, as in a Rasa server
        async with store.lock("conv-e"):
            pass
        await asyncio.to_thread(restart)
        async with store.lock("conv-e"):  # its pooled connection is dead: reconnects
            return True

    assert run(scenario())
