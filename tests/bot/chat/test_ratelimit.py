"""Rate limits in memory and shared through Redis (a Redis server of the test's own)."""

from __future__ import annotations

import pytest

from bot.chat.ratelimit import RateLimiter, SharedRateLimiter, make_limiter, redis_client
from tests.prod.servers import RedisServer


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def test_in_memory_window_allows_the_limit_then_says_how_long_to_wait():
    now = [100.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("a") == pytest.approx(60.0)
    assert limiter.hit("b") == 0.0  # another key has its own window
    now[0] += 61
    assert limiter.hit("a") == 0.0


def test_without_redis_the_limiter_is_in_memory():
    assert isinstance(make_limiter(5, 60, name="x"), RateLimiter)


def test_two_instances_share_one_window_in_redis(redis_server):
    now = [1000.0]
    one = SharedRateLimiter(3, 60, redis_client=redis_client(redis_server.url), name="t1", clock=lambda: now[0])
    two = SharedRateLimiter(3, 60, redis_client=redis_client(redis_server.url), name="t1", clock=lambda: now[0])
    assert [one.hit("c"), two.hit("c"), one.hit("c")] == [0.0, 0.0, 0.0]
    assert two.hit("c") == pytest.approx(60.0, abs=0.01)
    now[0] += 30
    assert one.hit("c") == pytest.approx(30.0, abs=0.01)
    now[0] += 31
    assert two.hit("c") == 0.0


def test_with_redis_down_each_instance_still_limits_on_its_own(redis_server):
    limiter = make_limiter(2, 60, name="t2", redis_url="redis://127.0.0.1:1/0")
    assert isinstance(limiter, SharedRateLimiter)
    assert [limiter.hit("d"), limiter.hit("d")] == [0.0, 0.0]
    assert limiter.hit("d") > 0
