"""Email addresses and phone numbers masked in logs (bot/logs.py): the filter, the web
service's uvicorn logging with a real request, and the action server's logging."""

from __future__ import annotations

import logging
import logging.config
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot import logs
from bot.config import PROJECT_ROOT
from bot.database import migrate
from tests.web_service import free_port, stop, wait_for, web_service


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("jo@example.com", "[email]"),
        ("write to jo.bloggs+mis@mail.example.gov.uk today", "write to [email] today"),
        ("/staff?q=jo%40example.com&status=all", "/staff?q=[email]&status=all"),
        ("/staff/login?next=%2Fstaff%3Fq%3Djo%2540example.com", "/staff/login?next=%2Fstaff%3Fq%[email]"),
        ("07700 900123", "[phone]"),
        ("call 07700900123.", "call [phone]."),
        ("020 7946 0958 or (020) 7946 0958 or 020-7946-0958", "[phone] or [phone] or [phone]"),
        ("+44 7700 900123, +44 (0)20 7946 0958, 0044 20 7946 0958", "[phone], [phone], [phone]"),
        ("/staff?q=07700+900123", "/staff?q=[phone]"),
        ("/staff?q=07700%20900123", "/staff?q=[phone]"),
        ("/staff?q=%2B447700900123", "/staff?q=[phone]"),
        ("next=%2Fstaff%3Fq%3D07700%2B900123", "next=%2Fstaff%3Fq%3D[phone]"),
        # Other countries' numbers, written internationally.
        ("call +1 415 555 2671 or +33 1 23 45 67 89", "call [phone] or [phone]"),
        ("/staff?q=%2B353871234567&status=all", "/staff?q=[phone]&status=all"),
        ("+49 (30) 1234 5678", "[phone]"),
        # A conversation's id is half of what reads it: the access log keeps 4 characters.
        (
            '"POST /chat/api/conversations/447XOj8zC9CUh_5haq5b-eL6/messages HTTP/1.1" 202',
            '"POST /chat/api/conversations/447X.../messages HTTP/1.1" 202',
        ),
        ("/chat/api/conversations/447XOj8zC9CUh_5haq5b-eL6/events", "/chat/api/conversations/447X.../events"),
        # ...and the digits in one are not taken for a phone number.
        (
            "GET /chat/api/conversations/AbC_0123456789xyz-09876543210/events",
            "GET /chat/api/conversations/AbC_.../events",
        ),
    ],
)
def test_email_addresses_and_uk_phone_numbers_are_masked(text, masked):
    assert logs.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "MIS-000123",
        "2026-12-01 10:00:00,123",
        '127.0.0.1:8000 - "GET /staff HTTP/1.1" 303',
        "score 0.2286419753086",
        "offset +00:00, score +1.5, +12 points",
        "took 1701234567.123 s",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert logs.mask(text) == text


@pytest.fixture
def masked_caplog(caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(logs.PersonalDataFilter())
    return caplog


def test_the_filter_masks_messages_and_their_arguments(masked_caplog):
    log = logging.getLogger("bot.test")
    log.warning("search for %s by %s, %d results", "jo@example.com", "staff:1", 3)
    log.warning("ticket for %(who)s", {"who": "07700 900123"})
    log.warning("visitor said: call 020 7946 0958")
    log.warning("slots %s", {"contact_email": "jo@example.com", "count": 2})

    assert masked_caplog.messages == [
        "search for [email] by staff:1, 3 results",
        "ticket for [phone]",
        "visitor said: call [phone]",
        "slots {'contact_email': '[email]', 'count': 2}",
    ]
    assert "example.com" not in masked_caplog.text


def test_the_filter_masks_tracebacks(masked_caplog):
    try:
        raise ValueError("bad address jo@example.com")
    except ValueError:
        logging.getLogger("bot.test").exception("could not save")
    assert "ValueError: bad address [email]" in masked_caplog.text
    assert "jo@example.com" not in masked_caplog.text


def test_install_covers_records_from_child_loggers_and_only_once():
    root = logging.getLogger("privacy-test-root")
    root.propagate = False
    stream = _Stream()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        logs.install(root)
        logs.install(root)
        assert sum(isinstance(f, logs.PersonalDataFilter) for f in handler.filters) == 1
        logging.getLogger("privacy-test-root.child").warning("from jo@example.com")
        assert stream.text == "from [email]\n"
    finally:
        root.removeHandler(handler)


class _Stream:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_uvicorns_logging_configuration_filters_every_handler():
    config = logs.uvicorn_log_config()
    assert all("personal_data" in handler["filters"] for handler in config["handlers"].values())
    assert config["root"]["handlers"] == ["default"]
    from uvicorn.config import LOGGING_CONFIG

    assert "filters" not in LOGGING_CONFIG["handlers"]["access"]  # uvicorn's own left as it was


# Real processes ---------------------------------------------------------------------------


def test_the_web_services_access_log_masks_a_search_for_an_email_address(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(url)
    with web_service(url) as web:
        base = web.url
        # As the queue's search form sends it, and as typed into the address bar; the
        # redirect to sign in carries it again in ?next=.
        requests.get(f"{base}/staff", params={"q": "jo@example.com"}, timeout=10)
        requests.get(f"{base}/staff?q=jo@example.com&phone=07700+900123", timeout=10)
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    access_log = web.output
    assert "GET /staff?q=[email]" in access_log
    assert "GET /staff/login?next=" in access_log
    assert "example.com" not in access_log and "900123" not in access_log
    assert "/healthz" not in access_log  # a balancer's probes are not logged


def test_the_action_server_masks_its_logging_and_still_serves_actions(tmp_path: Path):
    """The action server (runtime/action_server.py) sets up rasa_sdk's handlers, then loads the
    actions package, which adds the filter."""
    port = free_port()
    script = tmp_path / "run_actions.py"
    script.write_text(
        "import logging, os, sys\n"
        "sys.path.insert(0, os.getcwd())  # as `python -m rasa_sdk` has it\n"
        "from runtime.action_server import main\n"
        "class Leak(logging.Handler):\n"
        "    def emit(self, record):\n"
        "        if record.name == 'runtime.action_server' and 'up and running' in record.getMessage():\n"
        "            logging.getLogger('actions.check').warning('visitor wrote jo@example.com')\n"
        "logging.getLogger().addHandler(Leak())\n"
        "sys.exit(main(['--actions', 'actions', '--port', sys.argv[1]]))\n"
    )
    process = subprocess.Popen(
        [sys.executable, str(script), str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "ACTION_TOKEN": "log-test-token"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process)
        listed = requests.get(
            f"http://127.0.0.1:{port}/actions", headers={"Authorization": "Bearer log-test-token"}, timeout=10
        ).json()
        time.sleep(0.5)
    finally:
        out, err = stop(process)
    assert any(action.get("name") == "action_answer_faq" for action in listed)
    output = out + err
    assert "visitor wrote [email]" in output, output[-2000:]
    assert "jo@example.com" not in output


def test_a_client_error_is_one_line_in_the_log_never_a_traceback(tmp_path: Path):
    """Unauthenticated, malformed and unknown requests to the real web service: each is one
    access-log line at most, and nothing is logged as a fault of ours."""
    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(url)
    service = {"Authorization": "Bearer dev-service-token-not-for-production"}
    with web_service(url) as web:
        base = web.url
        answers = [
            requests.get(f"{base}/api/health", timeout=10).status_code,
            requests.post(
                f"{base}/api/tickets",
                data=b"{not json",
                headers={**service, "Content-Type": "application/json"},
                timeout=10,
            ).status_code,
            requests.post(
                f"{base}/api/faq/search",
                data=b'{"query": "what is \\ud800 TUPE"}',
                headers={**service, "Content-Type": "application/json"},
                timeout=10,
            ).status_code,
            requests.post(f"{base}/chat/api/conversations/nope/messages", json={"text": "hi"}, timeout=10).status_code,
            requests.get(f"{base}/chat/api/conversations/nope/messages?after=1e20", timeout=10).status_code,
            requests.get(f"{base}/static/%00.js", timeout=10).status_code,
        ]
        time.sleep(0.5)
    assert all(400 <= code < 500 for code in answers), answers
    output = web.output
    assert "Traceback" not in output, output[-3000:]
    assert "ERROR" not in output, output[-3000:]
    assert len([line for line in output.splitlines() if "/api/health" in line]) == 1
