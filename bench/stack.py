"""The processes under test, on free loopback ports: the whole assistant (web service,
Rasa, action server, as `make run` and tests/e2e start them) and a bare Rasa server
(REST channel, no action server). Also: resident memory and CPU time of processes."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from bot.chat import rasa as rasa_channel
from bot.config import Settings
from ops import endpoints
from ops.measure import cpu_seconds, free_port, rss_mib
from ops.processes import ROOT, action_server_command, process_env, write_endpoints

# The gateway channel's secret for every Rasa a bench starts (the full stack's and the bare
# one), and for Locust's RasaVisitor, which talks to Rasa as the gateway would.
RASA_TOKEN = secrets.token_urlsafe(32)

# The load comes from one address: lift the gateway's per-address limits for the run
# (the per-conversation limit stays; no script comes near it).
BENCH_ENV = {
    "CHAT_REQUESTS_PER_MINUTE_PER_ADDRESS": "1000000",
    "CHAT_CONVERSATIONS_PER_HOUR_PER_ADDRESS": "1000000",
}


def _http_ok(method: str, url: str, timeout: float = 2.0, **kwargs) -> requests.Response | None:
    try:
        response = requests.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException:
        return None
    return response if response.ok else None


def _launch(name: str, command: list[str], env: dict, workdir: Path) -> subprocess.Popen:
    log = open(workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _rasa_command(port: int, model: Path, endpoints_file: Path) -> list[str]:
    return [
        str(Path(sys.executable).parent / "rasa"),
        "run",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--model",
        str(model),
        "--endpoints",
        str(endpoints_file),
        "--credentials",
        str(ROOT / "credentials.yml"),
    ]


@dataclass
class Running:
    """Started processes and when they were started."""

    workdir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    started_at: float = 0.0  # time.monotonic() just before the first process started

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes.values() if p.poll() is None]

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes.values())

    def memory(self) -> dict[str, float | None]:
        return {name: rss_mib(p.pid) for name, p in self.processes.items()}

    def cpu(self) -> dict[str, float]:
        """CPU seconds each process (with its children) has used so far."""
        return {name: cpu_seconds([p.pid]) for name, p in self.processes.items()}

    def logs(self, tail: int = 3000) -> str:
        parts = []
        for name in self.processes:
            path = self.workdir / f"{name}.log"
            if path.exists():
                parts.append(f"--- {name} ---\n{path.read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@dataclass
class FullStack(Running):
    settings: Settings | None = None

    @property
    def web_url(self) -> str:
        return f"http://{self.settings.web_host}:{self.settings.web_port}"

    @property
    def rasa_url(self) -> str:
        return self.settings.rasa_url

    @classmethod
    def start(cls, *, database_url: str, tracker_database_url: str, model: Path, workdir: Path) -> FullStack:
        """Start the three processes (not waiting for them: see wait_for_first_answer)."""
        settings = Settings(
            environment="development",
            database_url=database_url,
            tracker_database_url=tracker_database_url,
            service_token=secrets.token_urlsafe(24),
            rasa_token=RASA_TOKEN,
            action_token=secrets.token_urlsafe(32),
            web_port=free_port(),
            rasa_port=free_port(),
            action_port=free_port(),
            _env_file=None,
        )
        endpoints_file = write_endpoints(settings, workdir / "endpoints.yml")
        env = process_env(settings, model, endpoints_file)
        env.update(BENCH_ENV, BOT_API_URL=f"http://{settings.web_host}:{settings.web_port}", ENVIRONMENT="development")
        python = sys.executable
        commands = {
            "web": [python, "-m", "bot", "serve"],
            "rasa": _rasa_command(settings.rasa_port, model, endpoints_file),
            "actions": action_server_command(settings.action_port, python),
        }
        stack = cls(workdir=workdir, settings=settings)
        stack.started_at = time.monotonic()
        for name, command in commands.items():
            stack.processes[name] = _launch(name, command, env, workdir)
        return stack

    def first_answer(self, deadline_seconds: float = 900) -> float:
        """Seconds from starting the processes to the first message answered through the
        gateway (a new conversation, the greeting button)."""
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"A process of the stack stopped:\n{self.logs()}")
            if self.say_through_gateway("/greet") is not None:
                return time.monotonic() - self.started_at
            time.sleep(0.25)
        raise RuntimeError(f"The stack did not answer within {deadline_seconds:.0f} s:\n{self.logs()}")

    def say_through_gateway(self, payload: str) -> list[dict] | None:
        """A new conversation and one button press; its replies, or None if not answered."""
        started = _http_ok("POST", f"{self.web_url}/chat/api/conversations")
        if started is None:
            return None
        body = started.json()
        answered = _http_ok(
            "POST",
            f"{self.web_url}/chat/api/conversations/{body['conversation_id']}/messages",
            timeout=60,
            json={"payload": payload, "title": payload},
            headers={"Authorization": f"Bearer {body['token']}"},
        )
        if answered is None:
            return None
        replies = answered.json()["replies"]
        unavailable = any(r["sender"] == "system" for r in replies)
        return None if unavailable or not replies else replies


@dataclass
class BareRasa(Running):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, *, model: Path, workdir: Path) -> BareRasa:
        """Rasa alone: the same model, REST channel, no action endpoint, a SQLite tracker
        store of its own (as the full stack's SQLite set-up)."""
        endpoints_file = workdir / "endpoints-bare.yml"
        store = endpoints.tracker_store(f"sqlite:///{workdir / 'bare_tracker.db'}")
        endpoints_file.write_text(yaml.safe_dump({"tracker_store": store}, sort_keys=False))
        env = dict(os.environ)
        env.update(
            PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
            PYTHONUNBUFFERED="1",
            PYTHONWARNINGS="ignore::DeprecationWarning",
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            RASA_TOKEN=RASA_TOKEN,
        )
        rasa = cls(workdir=workdir, port=free_port())
        rasa.started_at = time.monotonic()
        rasa.processes["rasa"] = _launch("bare-rasa", _rasa_command(rasa.port, model, endpoints_file), env, workdir)
        return rasa

    def logs(self, tail: int = 3000) -> str:
        path = self.workdir / "bare-rasa.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def first_answer(self, deadline_seconds: float = 900) -> float:
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"Bare Rasa stopped:\n{self.logs()}")
            answered = _http_ok(
                "POST",
                f"{self.url}{rasa_channel.WEBHOOK}",
                timeout=60,
                json={"sender": f"bench-probe-{secrets.token_hex(6)}", "message": "/greet"},
                headers=rasa_channel.headers(RASA_TOKEN),
            )
            # Its answer may be empty: with no action server, custom actions do not run.
            if answered is not None and isinstance(answered.json(), list):
                return time.monotonic() - self.started_at
            time.sleep(0.25)
        raise RuntimeError(f"Bare Rasa did not answer within {deadline_seconds:.0f} s:\n{self.logs()}")
