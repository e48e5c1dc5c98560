"""A Redis lock store for several Rasa servers whose tickets are issued atomically.

Rasa 3.6's RedisLockStore reads a conversation's lock, adds a ticket and writes it back in
three steps, so two servers receiving messages of one conversation at the same moment can
both believe they hold it (RasaHQ/rasa#9213; the fix went into Rasa Pro only). Then both
handle a message on the same tracker and one server's events are lost. This store keeps
the same ticket discipline in Redis with atomic steps:

- a ticket is `INCR` of the conversation's counter, with a marker key that its holder
  keeps alive while it waits or works;
- ticket n may go when n - 1 has been released; a ticket whose marker has expired (its
  server died) is skipped, so a crash never blocks a conversation;
- releasing records n as served; a request cancelled while still waiting only drops its
  marker, so it never lets a later message overtake an earlier one.

Used from the endpoints file as `type: runtime.rasa_lock_store.AtomicRedisLockStore`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05
IDLE_MILLISECONDS = 24 * 3600 * 1000  # a quiet conversation's counters are forgotten after a day

_ISSUE = """
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[3] .. n, '1', 'PX', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return n
"""

# 1 when ticket ARGV[1] may go now; 0 while an earlier, live ticket is ahead of it.
_TURN = """
local mine = tonumber(ARGV[1])
redis.call('PEXPIRE', KEYS[2] .. mine, ARGV[2])
local served = tonumber(redis.call('GET', KEYS[1]) or '0')
while served + 1 < mine do
  if redis.call('EXISTS', KEYS[2] .. (served + 1)) == 1 then return 0 end
  served = served + 1
  redis.call('SET', KEYS[1], served, 'PX', ARGV[3])
end
return 1
"""

_RELEASE = """
redis.call('DEL', KEYS[2] .. ARGV[1])
local served = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > served then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
"""


class AtomicRedisLockStore(LockStore):
    def __init__(self, endpoint_config=None, *, host: str = "127.0.0.1", port: int = 6379, **settings) -> None:
        import redis.asyncio
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if endpoint_config is not None:
            host = endpoint_config.url or host
            settings = {**endpoint_config.kwargs, **settings}
            port = int(settings.pop("port", port))
        self.key_prefix = f"{settings.get('key_prefix') or 'rasa'}:lock:"
        self.red = redis.asyncio.Redis(
            host=host,
            port=port,
            db=int(settings.get("db", 0)),
            password=settings.get("password"),
            ssl=bool(settings.get("use_ssl", False)),
            socket_timeout=float(settings.get("socket_timeout", 2)),
            socket_connect_timeout=float(settings.get("socket_timeout", 2)),
            # After Redis restarts, pooled connections are dead: reconnect and try again
            # rather than fail the visitor's message.
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            health_check_interval=5,
        )
        self._issue = self.red.register_script(_ISSUE)
        self._turn = self.red.register_script(_TURN)
        self._release = self.red.register_script(_RELEASE)
        super().__init__()

    def _keys(self, conversation_id: str) -> list[str]:
        base = self.key_prefix + conversation_id
        return [f"{base}:issued", f"{base}:served", f"{base}:ticket:"]

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncIterator[int]:
        import redis

        issued, served, marker = self._keys(conversation_id)
        lifetime_ms = int(lock_lifetime * 1000)
        try:
            ticket = int(await self._issue(keys=[issued, served, marker], args=[lifetime_ms, IDLE_MILLISECONDS]))
        except redis.RedisError as exc:
            raise LockError(f"Could not get a ticket for the conversation: {type(exc).__name__}") from exc
        acquired = False
        try:
            while not int(await self._turn(keys=[served, marker], args=[ticket, lifetime_ms, IDLE_MILLISECONDS])):
                await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
            acquired = True
            yield ticket
        except redis.RedisError as exc:
            raise LockError(f"Lost the conversation's lock: {type(exc).__name__}") from exc
        finally:
            with contextlib.suppress(redis.RedisError):
                if acquired:
                    await self._release(keys=[served, marker], args=[ticket, IDLE_MILLISECONDS])
                else:  # gave up waiting: step out of the queue without letting anyone past
                    await self.red.delete(f"{marker}{ticket}")
