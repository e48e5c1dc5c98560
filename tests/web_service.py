"""The bot web service as a real process (`python -m bot serve`) on a free loopback port,
for tests about what only a real server shows: concurrency, logs, open connections."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests

from bot.config import PROJECT_ROOT
from ops.measure import free_port


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: the process exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer in {seconds} s")


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.terminate()
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


@dataclass
class WebService:
    url: str
    process: subprocess.Popen
    output: str = ""  # stdout and stderr, once stopped


@contextmanager
def web_service(database_url: str, **settings: str) -> Iterator[WebService]:
    """The web service on `database_url` in development mode, with `settings` as
    environment variables; its output is in `.output` after the block."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "ENVIRONMENT": "development",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
    process = subprocess.Popen(  # noqa: S603 - our own service
        [sys.executable, "-m", "bot", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    service = WebService(url=f"http://127.0.0.1:{port}", process=process)
    try:
        wait_for(f"{service.url}/staff/login", process)
        yield service
    finally:
        out, err = stop(process)
        service.output = out + err
