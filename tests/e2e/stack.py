"""The whole assistant as real processes on free loopback ports: the bot web service,
the Rasa server (the gateway's channel, HTTP API off) and the action server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.chat import rasa
from bot.config import Settings
from ops.processes import ROOT, action_server_command, process_env, wait_until_ready, write_endpoints


@dataclass
class Stack:
    settings: Settings
    model: Path
    workdir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.settings.rasa_host}:{self.settings.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.settings.web_host}:{self.settings.web_port}"

    def start(self, timeout: float = 300) -> None:
        endpoints_file = write_endpoints(self.settings, self.workdir / "endpoints.yml")
        env = process_env(self.settings, self.model, endpoints_file)
        env["BOT_API_URL"] = self.web_url
        env["ENVIRONMENT"] = self.settings.environment
        python = sys.executable
        rasa = str(Path(python).parent / "rasa")
        commands = {
            "web": [python, "-m", "bot", "serve"],
            "rasa": [
                rasa,
                "run",
                "--interface",
                self.settings.rasa_host,
                "--port",
                str(self.settings.rasa_port),
                "--model",
                str(self.model),
                "--endpoints",
                str(endpoints_file),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--logging-config-file",
                str(ROOT / "runtime" / "rasa_logging.yml"),
            ],
            "actions": action_server_command(self.settings.action_port, python),
        }
        for name, command in commands.items():
            log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        ready = wait_until_ready(self.settings, deadline_seconds=timeout, alive=self.all_alive)
        if not ready:
            self.stop()
            raise RuntimeError(f"The stack did not become ready:\n{self.logs()}")

    def all_alive(self) -> bool:
        return all(p.poll() is None for p in self.processes.values())

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

    def say(self, sender: str, message: str) -> list[dict]:
        """Send a message through Rasa's channel as the gateway does; return the bot's replies."""
        response = requests.post(
            f"{self.rasa_url}{rasa.WEBHOOK}",
            json={"sender": sender, "message": message},
            headers=rasa.headers(self.settings.rasa_token),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)
