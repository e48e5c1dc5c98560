"""Event streams open at once are limited, against the real web service (a test client
reads a whole stream before it returns, so it cannot hold two open)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from bot.config import PROJECT_ROOT
from bot.database import migrate
from tests.web_service import free_port, stop, wait_for


def test_streams_per_conversation_are_limited_and_a_closed_one_frees_its_place(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "WEB_PORT": str(port),
        "ENVIRONMENT": "development",
        "CHAT_STREAMS_PER_CONVERSATION": "2",
        "CHAT_STREAM_MAX_SECONDS": "60",
        "CHAT_STREAM_POLL_SECONDS": "0.2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    opened: list[requests.Response] = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", process)
        created = requests.post(f"{base}/chat/api/conversations", timeout=10).json()
        events = f"{base}/chat/api/conversations/{created['conversation_id']}/events"
        auth = {"Authorization": f"Bearer {created['token']}"}

        def open_stream() -> requests.Response:
            response = requests.get(events, headers=auth, stream=True, timeout=10)
            opened.append(response)
            return response

        assert [open_stream().status_code for _ in range(2)] == [200, 200]
        refused = open_stream()
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "5"
        assert "Too many live connections" in refused.json()["detail"]

        opened[0].close()  # the visitor closes a window: the server notices and frees its place
        deadline = time.monotonic() + 15
        while (status := open_stream().status_code) == 429 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert status == 200
    finally:
        for response in opened:
            response.close()
        stop(process)
