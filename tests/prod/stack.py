"""The production profile's processes (ops/prod.py) started one by one on free loopback
ports, so that a test can kill, pause or restart any single part."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.config import Settings
from ops import prod
from ops.measure import free_port
from ops.processes import ROOT, rasa_answers
from runtime import tracker_schema


def free_ports() -> prod.Ports:
    return prod.Ports(
        front=free_port(),
        web=(free_port(), free_port()),
        rasa=(free_port(), free_port()),
        action_front=free_port(),
        actions=(free_port(), free_port()),
    )


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return 0


@dataclass
class ProdStack:
    settings: Settings
    model: Path
    workdir: Path
    ports: prod.Ports = field(default_factory=free_ports)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _tracker_tables: bool = False

    def __post_init__(self) -> None:
        self.plan = prod.plan(self.settings, self.model, self.workdir, self.ports)
        # The scheduler is not under test here; tests/bot/privacy covers purging.
        self.names = [name for name in self.plan.commands if name != "retention"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports.front}"

    def web_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports.web[i - 1]}"

    def rasa_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports.rasa[i - 1]}"

    # Processes ---------------------------------------------------------------------

    def start(self, *names: str, timeout: float = 900) -> None:
        names = names or tuple(self.names)
        if any(name.startswith("rasa") for name in names) and not self._tracker_tables:
            # As `make run-prod` does: the Rasa servers must not race to create them.
            tracker_schema.create_in_subprocess(self.plan.endpoints_file)
            self._tracker_tables = True
        for name in names:
            log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
            self.processes[name] = subprocess.Popen(  # noqa: S603 - the profile's own commands
                self.plan.commands[name],
                cwd=ROOT,
                env=self.plan.env_for(name),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(*names, timeout=timeout)

    def ready(self, name: str) -> bool:
        if name == "proxy":
            return _status(f"{self.url}/healthz") == 200
        index = int(name[-1])
        if name.startswith("web"):
            return _status(f"{self.web_url(index)}/healthz") == 200
        if name.startswith("actions"):
            return _status(f"http://127.0.0.1:{self.ports.actions[index - 1]}/health") == 200
        if name.startswith("rasa"):
            return rasa_answers(self.rasa_url(index), self.settings.rasa_token)
        raise ValueError(name)

    def wait_ready(self, *names: str, timeout: float = 900) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(names)
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited ({self.processes[name].returncode}):\n{self.logs(name)}")
                if self.ready(name):
                    waiting.remove(name)
            time.sleep(0.5)
        if waiting:
            raise RuntimeError(f"Not ready after {timeout} s: {waiting}\n{self.logs(*waiting)}")

    def signal(self, name: str, sig: int) -> None:
        os.killpg(self.processes[name].pid, sig)

    def kill(self, name: str) -> None:
        """Stopped dead, as by a crash or an out-of-memory kill."""
        self.signal(name, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def pause(self, name: str) -> None:
        """Hung: the port still accepts connections but nothing answers."""
        self.signal(name, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.signal(name, signal.SIGCONT)

    def stop(self, *names: str) -> None:
        names = names or tuple(self.processes)
        for name in names:
            process = self.processes.get(name)
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name in names:
            process = self.processes.get(name)
            if not process:
                continue
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs(self, *names: str, tail: int = 3000) -> str:
        parts = []
        for name in names or self.names:
            path = self.workdir / f"{name}.log"
            if path.exists():
                parts.append(f"--- {name} ---\n{path.read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)


class Visitor:
    """A visitor's side of the widget gateway, through the profile's public front."""

    def __init__(self, base_url: str):
        self.base = f"{base_url}/chat/api"
        created = requests.post(f"{self.base}/conversations", timeout=10)
        created.raise_for_status()
        body = created.json()
        self.conversation_id = body["conversation_id"]
        self.headers = {"Authorization": f"Bearer {body['token']}"}

    def send(self, text: str | None = None, payload: str | None = None, timeout: float = 30) -> requests.Response:
        body = {"payload": payload} if payload is not None else {"text": text}
        return requests.post(
            f"{self.base}/conversations/{self.conversation_id}/messages",
            json=body,
            headers=self.headers,
            timeout=timeout,
        )

    def say(self, text: str | None = None, payload: str | None = None) -> str:
        """Send and return the replies' text, failing on anything but an acknowledged message."""
        response = self.send(text, payload)
        assert response.status_code == 202, response.text
        return "\n".join(reply["text"] for reply in response.json()["replies"])

    def transcript(self) -> list[dict]:
        response = requests.get(f"{self.base}/conversations/{self.conversation_id}/messages", headers=self.headers)
        response.raise_for_status()
        return response.json()["messages"]
