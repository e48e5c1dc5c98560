"""The staff queue at scale: 100,000 generated tickets, then the queue page's two queries
(`list_tickets(status=waiting, limit=200)` and `counts_by_status`)."""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from bot.database import migrate
from bot.database.core import make_engine, make_session_factory
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketPriority, TicketReason, TicketStatus
from bot.hotline.models import Ticket
from ops.measure import percentile

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# A queue that has been running a while: most tickets resolved, a fifth still waiting.
STATUS_SHARE = {
    TicketStatus.resolved: 0.70,
    TicketStatus.waiting: 0.20,
    TicketStatus.claimed: 0.05,
    TicketStatus.callback_arranged: 0.04,
    TicketStatus.live: 0.01,
}
FIRST_NAMES = ["Priya", "Alex", "Sam", "Jo", "Chris", "Fatima", "Tom", "Aisha", "Ben", "Chloe", "Dev", "Ewa"]
LAST_NAMES = ["Shah", "Morgan", "Taylor", "Bloggs", "Evans", "Khan", "Okafor", "Nowak", "Patel", "Reid"]
TOPICS = ["pensions", "TUPE", "procurement", "governance", "an ambassador", "our spin-out", "funding", "contracts"]


def generate_tickets(count: int, seed: int = 11) -> Iterator[dict]:
    """Rows for the ticket table, oldest first, over about two years."""
    rng = random.Random(seed)
    statuses, shares = list(STATUS_SHARE), list(STATUS_SHARE.values())
    reasons, priorities = list(TicketReason), list(TicketPriority)
    start = datetime(2024, 1, 1)
    step = timedelta(days=730) / count
    for number in range(1, count + 1):
        created = start + step * number + timedelta(seconds=rng.randint(0, 600))
        status = rng.choices(statuses, weights=shares)[0]
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        by_email = rng.random() < 0.7
        yield {
            "id": number,
            "reference": hotline_service.reference_for(number),
            "reason": rng.choice(reasons).value,
            "category": rng.choice(["general", "ambassadors", "pensions", "legal"]),
            "priority": rng.choices(priorities, weights=[1, 8, 2, 0.5])[0].value,
            "status": status.value,
            "contact_name": name,
            "contact_method": "email" if by_email else "phone",
            "contact_email": f"{name.split()[0].lower()}.{number}@example.org" if by_email else None,
            "contact_phone": None if by_email else f"07700 9{number % 100000:05d}",
            "description": f"We would like help with {rng.choice(TOPICS)}.",
            "consent": True,
            "created_at": created,
            "updated_at": created,
            "resolved_at": created + timedelta(days=2) if status is TicketStatus.resolved else None,
        }


def fill(database_url: str, count: int, chunk: int = 5000) -> float:
    """Migrate the store and bulk insert `count` tickets; the seconds it took to insert."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    started = time.perf_counter()
    rows = generate_tickets(count)
    with engine.begin() as connection:
        while batch := [row for _, row in zip(range(chunk), rows, strict=False)]:
            connection.execute(insert(Ticket.__table__), batch)
    seconds = time.perf_counter() - started
    # The statistics and visibility map a table that has been in use for a while has
    # (autovacuum's job on PostgreSQL), not those of a table filled a second ago.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), :n)"), {"n": count})
            connection.execute(text("VACUUM ANALYZE ticket"))
        else:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return seconds


def time_queries(database_url: str, calls: int = 50) -> dict:
    """p50/p95 of the queue page's two queries, each call in a fresh session (as a page is)."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    timings: dict[str, list[float]] = {"list_waiting_200": [], "counts_by_status": []}
    listed = 0
    for _ in range(calls):
        with factory() as session:
            started = time.perf_counter()
            tickets = hotline_service.list_tickets(db_session=session, status=TicketStatus.waiting, limit=200)
            timings["list_waiting_200"].append((time.perf_counter() - started) * 1000)
            listed = len(tickets)
        with factory() as session:
            started = time.perf_counter()
            counts = hotline_service.counts_by_status(db_session=session)
            timings["counts_by_status"].append((time.perf_counter() - started) * 1000)
    engine.dispose()
    result: dict = {"calls": calls, "listed": listed, "total_tickets": sum(counts.values())}
    for name, values in timings.items():
        result[name] = {
            "p50_ms": round(percentile(values, 50), 2),
            "p95_ms": round(percentile(values, 95), 2),
            "max_ms": round(max(values), 2),
        }
    return result


@contextmanager
def postgres_database(prefix: str = "mis_bench") -> Iterator[str]:
    """A database of our own on the local PostgreSQL, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def measure(backend: str, workdir: Path, count: int = 100_000, calls: int = 50) -> dict:
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'queue-bench.db'}"
        inserted = fill(url, count)
        return {"backend": backend, "tickets": count, "insert_seconds": round(inserted, 1), **time_queries(url, calls)}
    with postgres_database() as url:
        inserted = fill(url, count)
        return {"backend": backend, "tickets": count, "insert_seconds": round(inserted, 1), **time_queries(url, calls)}
