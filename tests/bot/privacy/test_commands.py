"""`python -m bot purge` and `python -m bot erase` as the operator runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from bot.chat.models import Conversation, Message
from bot.config import PROJECT_ROOT
from bot.hotline.enums import TicketStatus
from bot.hotline.models import Ticket, TicketEvent
from tests.bot.privacy.conftest import EMAIL, create_tracker_events, handed_off, tracker_senders


def command_env(database_url: str, tracker_url: str, **extra: str) -> dict:
    ours = ("DATABASE_URL", "TRACKER_DATABASE_URL", "RETENTION")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        DATABASE_URL=database_url,
        TRACKER_DATABASE_URL=tracker_url,
        ENVIRONMENT="development",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def bot_command(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def store(session_factory, tracker_url):
    """An old resolved handoff and a recent one, committed, with tracker events."""
    with session_factory.begin() as session:
        old = handed_off(session, conversation_id="cmd-old", idle_days=400).reference
        recent = handed_off(session, conversation_id="cmd-recent", idle_days=3, status=TicketStatus.claimed).reference
    create_tracker_events(tracker_url, {"cmd-old": 3, "cmd-recent": 2})
    return old, recent


def messages(session_factory, conversation_id: str) -> list[str]:
    with session_factory() as session:
        return session.scalars(select(Message.text).where(Message.conversation_id == conversation_id)).all()


def test_purge_dry_run_then_purge_then_nothing(store, session_factory, database_url, tracker_url):
    env = command_env(database_url, tracker_url, RETENTION_DAYS="365")

    dry = bot_command("purge", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "retention 365 days" in dry.stdout
    assert "Would anonymise 1 conversation(s)" in dry.stdout and "3 tracker event(s)" in dry.stdout
    assert any(EMAIL in text for text in messages(session_factory, "cmd-old"))
    assert tracker_senders(tracker_url) == {"cmd-old": 3, "cmd-recent": 2}

    done = bot_command("purge", env=env)
    assert done.returncode == 0, done.stderr
    assert "Anonymised 1 conversation(s)" in done.stdout
    assert "contact details cleared on 1 ticket(s)" in done.stdout and "3 tracker event(s) deleted" in done.stdout
    assert messages(session_factory, "cmd-old") == []
    assert messages(session_factory, "cmd-recent") != []
    assert tracker_senders(tracker_url) == {"cmd-recent": 2}
    with session_factory() as session:
        assert session.get(Conversation, "cmd-old").purged_at is not None

    again = bot_command("purge", env=env)
    assert again.returncode == 0, again.stderr
    assert "Anonymised 0 conversation(s): 0 message(s) removed" in again.stdout


def test_purge_days_overrides_the_setting(store, session_factory, database_url, tracker_url):
    env = command_env(database_url, tracker_url, RETENTION_DAYS="1")

    kept = bot_command("purge", "--days", "1000", env=env)
    assert "retention 1000 days. Anonymised 0 conversation(s)" in kept.stdout, kept.stderr

    assert bot_command("purge", "--days", "0", env=env).returncode == 2
    # The setting: both are older than a day, but one ticket is still open.
    setting = bot_command("purge", env=env)
    assert "retention 1 days. Anonymised 1 conversation(s)" in setting.stdout, setting.stderr


def test_erase_by_reference(store, session_factory, database_url, tracker_url):
    _, recent = store
    env = command_env(database_url, tracker_url)

    result = bot_command("erase", recent.lower(), env=env)

    assert result.returncode == 0, result.stderr
    assert f"Erased the personal data of {recent}." in result.stdout
    assert "2 tracker event(s) deleted" in result.stdout
    assert messages(session_factory, "cmd-recent") == []
    assert tracker_senders(tracker_url) == {"cmd-old": 3}
    with session_factory() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.reference == recent))
        assert (ticket.contact_name, ticket.contact_email, ticket.status) == (None, None, "claimed")
        erased = session.scalar(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "erased")
        )
        assert erased.actor == "erasure request"


def test_erase_with_an_unknown_reference_says_so(store, database_url, tracker_url):
    result = bot_command("erase", "mis-999999", env=command_env(database_url, tracker_url))
    assert result.returncode == 1
    assert "There is no ticket MIS-999999" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_purge_every_hours_runs_until_told_to_stop(store, session_factory, database_url, tracker_url, stop_with):
    env = command_env(database_url, tracker_url, RETENTION_INTERVAL_HOURS="0.0003")  # about a second
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "purge", "--every-hours"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 90
        while sum("Anonymised" in line for line in lines) < 2 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
        assert lines[0].startswith("Purging every 0.0003 hours"), lines
        assert "Anonymised 1 conversation(s)" in lines[1]
        assert "Anonymised 0 conversation(s)" in lines[2]
        process.send_signal(stop_with)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"Stopping after {stop_with.name}." in out
    assert messages(session_factory, "cmd-old") == []
