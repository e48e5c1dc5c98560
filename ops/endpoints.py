"""Write the Rasa endpoints file for the configured ports and tracker store."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml


def tracker_store(url: str) -> dict:
    """Rasa's SQL tracker store settings for a SQLAlchemy-style database URL."""
    if url.startswith("sqlite"):
        return {"type": "SQL", "dialect": "sqlite", "db": url[len("sqlite:///") :]}
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgresql"):
        raise ValueError(f"Unsupported tracker database URL scheme: {parts.scheme}")
    store = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "db": parts.path.lstrip("/"),
        "login_db": "postgres",
    }
    if parts.username:
        store["username"] = unquote(parts.username)
    if parts.password:
        store["password"] = unquote(parts.password)
    return store


def lock_store(url: str) -> dict | None:
    """The Redis lock store's settings for a redis:// URL (None: Rasa's in-memory lock)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"Unsupported Redis URL scheme: {parts.scheme}")
    store = {
        # Rasa's own RedisLockStore races between servers (see runtime/rasa_lock_store.py).
        "type": "runtime.rasa_lock_store.AtomicRedisLockStore",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "key_prefix": "mis",
        "use_ssl": parts.scheme == "rediss",
    }
    if parts.password:
        store["password"] = unquote(parts.password)
    return store


# Rasa expands ${...} from its environment when it reads the file, so the secret itself
# is never written to disk.
ACTION_HEADERS = {"Authorization": "Bearer ${ACTION_TOKEN}"}


def write(path: Path, *, action_url: str, tracker_database_url: str, redis_url: str = "") -> Path:
    document = {
        "action_endpoint": {"url": action_url, "headers": dict(ACTION_HEADERS)},
        "tracker_store": tracker_store(tracker_database_url),
    }
    locks = lock_store(redis_url)
    if locks:
        document["lock_store"] = locks
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
