"""What the three processes need: environment, readiness checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bot.config import Settings
from ops import endpoints

ROOT = Path(__file__).resolve().parent.parent


def process_env(settings: Settings, model: Path, endpoints_file: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ)
    env.update(
        {
            "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
            "PYTHONUNBUFFERED": "1",
            # Rasa reads its logging file (runtime/rasa_logging.yml, which imports runtime and bot)
            # before it puts the working directory on sys.path.
            "PYTHONPATH": str(ROOT) + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else ""),
            # Rasa's dependency tree is old; its deprecation warnings are noise in the logs.
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_MODEL": str(model),
            "RASA_ENDPOINTS": str(endpoints_file),
            "RASA_HOST": settings.rasa_host,
            "RASA_PORT": str(settings.rasa_port),
            "ACTION_PORT": str(settings.action_port),
            # rasa_sdk's action server binds to SANIC_HOST (it would otherwise take 0.0.0.0).
            "SANIC_HOST": settings.action_host,
            "WEB_HOST": settings.web_host,
            "WEB_PORT": str(settings.web_port),
            "DATABASE_URL": settings.database_url,
            "SERVICE_TOKEN": settings.service_token,
            "RASA_TOKEN": settings.rasa_token,
            "ACTION_TOKEN": settings.action_token,
            "HOTLINE_NUMBER": settings.hotline_number,
        }
    )
    if "BOT_API_URL" not in os.environ:
        env["BOT_API_URL"] = f"http://{settings.web_host}:{settings.web_port}"
    return env


def write_endpoints(settings: Settings, path: Path) -> Path:
    return endpoints.write(
        path,
        action_url=f"http://{settings.action_host}:{settings.action_port}/webhook",
        tracker_database_url=settings.tracker_database_url,
        redis_url=settings.redis_url,
    )


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        return requests.get(url, timeout=timeout).status_code
    except requests.RequestException:
        return 0


def action_server_command(port: int | str, python: str = sys.executable) -> list[str]:
    """The action server (rasa_sdk behind ACTION_TOKEN: runtime/action_server.py)."""
    return [python, "-m", "runtime.action_server", "--actions", "actions", "--port", str(port)]


def rasa_answers(rasa_url: str, token: str, timeout: float = 10.0) -> bool:
    """Rasa is ready when its gateway channel answers a real message."""
    from bot.chat import rasa

    try:
        response = requests.post(
            f"{rasa_url}{rasa.WEBHOOK}",
            json={"sender": "readiness-probe", "message": "/greet"},
            headers=rasa.headers(token),
            timeout=timeout,
        )
        return response.status_code == 200 and bool(response.json())
    except (requests.RequestException, ValueError):
        return False


def wait_until_ready(settings: Settings, deadline_seconds: float = 300, alive=lambda: True) -> bool:
    web = f"http://{settings.web_host}:{settings.web_port}/healthz"
    actions = f"http://{settings.action_host}:{settings.action_port}/health"
    rasa = f"http://{settings.rasa_host}:{settings.rasa_port}"
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline and alive():
        if _get(web) == 200 and _get(actions) == 200 and rasa_answers(rasa, settings.rasa_token):
            return True
        time.sleep(1)
    return False


def run_under_honcho(procfile: Path, env: dict[str, str], announce: Callable[[subprocess.Popen], None]) -> int:
    """Run a Procfile under honcho until it stops; `announce` watches it from a thread.
    One Ctrl-C stops every process (the terminal sends SIGINT to honcho too)."""
    honcho = subprocess.Popen(  # noqa: S603 - our own Procfile, fixed arguments
        [sys.executable, "-m", "honcho", "start", "-f", str(procfile), "-d", str(ROOT)], cwd=ROOT, env=env
    )
    threading.Thread(target=announce, args=(honcho,), daemon=True).start()
    try:
        return honcho.wait()
    except KeyboardInterrupt:
        honcho.send_signal(signal.SIGINT)
        return honcho.wait()
