"""Sliding-window rate limits: in this process's memory, or shared through Redis.

With several web instances the limits must be shared, or each instance allows the full
rate: with REDIS_URL set, every instance counts in the same Redis sorted sets. If Redis
cannot be reached the instance falls back to its own in-memory window until it can, so a
Redis outage neither blocks visitors nor lifts the limits. (The `limits` library would do
this, but its releases need a newer `packaging` than Rasa allows.)
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict, deque

log = logging.getLogger(__name__)


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float, clock=time.monotonic):
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one request for `key`: 0 if allowed, else seconds until it would be."""
        now = self._clock()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window - now)
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
                for idle in [k for k, v in self._hits.items() if not v]:
                    del self._hits[idle]
            return 0.0


# KEYS[1]: the window's sorted set. ARGV: now, window, limit, a unique member.
# Returns 0 when allowed, else the milliseconds until the oldest hit leaves the window.
_SLIDING_WINDOW = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.ceil((tonumber(oldest[2]) + window - now) * 1000))
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 0
"""


class SharedRateLimiter:
    """The same window kept in Redis, shared by every web instance."""

    def __init__(self, limit: int, window_seconds: float, *, redis_client, name: str, clock=time.time):
        self.limit = limit
        self.window = window_seconds
        self.name = name
        self._redis = redis_client
        self._script = redis_client.register_script(_SLIDING_WINDOW)
        self._clock = clock
        self._fallback = RateLimiter(limit, window_seconds)
        self._warned_at = 0.0

    def hit(self, key: str) -> float:
        import redis

        try:
            wait_ms = self._script(
                keys=[f"mis:ratelimit:{self.name}:{key}"],
                args=[self._clock(), self.window, self.limit, uuid.uuid4().hex],
            )
            return int(wait_ms) / 1000.0
        except redis.RedisError as exc:
            if time.monotonic() - self._warned_at > 60:
                self._warned_at = time.monotonic()
                log.warning("Redis unavailable for rate limits (%s); counting in this instance", type(exc).__name__)
            return self._fallback.hit(key)


def make_limiter(limit: int, window_seconds: float, *, name: str, redis_url: str = ""):
    """A shared limiter when Redis is configured, else one in this process's memory."""
    if not redis_url:
        return RateLimiter(limit, window_seconds)
    return SharedRateLimiter(limit, window_seconds, redis_client=redis_client(redis_url), name=name)


_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def redis_client(url: str):
    """One client (and connection pool) per Redis URL in this process; short timeouts."""
    import redis

    with _clients_lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return _clients[url]
