"""The production profile on one machine: two bot web service instances behind HAProxy,
two Rasa servers the gateway sends to round robin, two action servers behind HAProxy,
PostgreSQL for everything stored and Rasa's Redis lock store.

`make run-prod` (ops/run_prod.py) writes a Procfile and an HAProxy configuration from
`plan()` and runs them under honcho; the fault tests start the same commands one by one so
that they can stop, pause and restart any single part.

    browser ─► HAProxy :WEB_PORT ─► web1, web2 ─► rasa1, rasa2 (round robin, in the gateway)
                                     ▲                 └─► HAProxy :ACTION_PORT ─► actions1, actions2
                                     └──── actions call the internal API through HAProxy :WEB_PORT
"""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings
from ops.processes import ROOT, action_server_command, process_env

HAPROXY = "/usr/sbin/haproxy"
# An action that takes longer than this is cut off, so the visitor hears within 3 seconds;
# the internal API call inside an action gives up first, and the action apologises itself.
ACTION_TIMEOUT_MS = 2000
ACTION_API_TIMEOUT_SECONDS = 1.5


class ProfileError(RuntimeError):
    """The environment does not describe a production-shaped deployment."""


@dataclass(frozen=True)
class Ports:
    front: int = 8000
    web: tuple[int, ...] = (8001, 8002)
    rasa: tuple[int, ...] = (5005, 5006)
    action_front: int = 5055
    actions: tuple[int, ...] = (5056, 5057)

    @classmethod
    def from_settings(cls, settings: Settings) -> Ports:
        """The public port is WEB_PORT, the action servers' balancer ACTION_PORT; the
        instances take the ports after them."""
        web, rasa, action = settings.web_port, settings.rasa_port, settings.action_port
        return cls(
            front=web,
            web=(web + 1, web + 2),
            rasa=(rasa, rasa + 1),
            action_front=action,
            actions=(action + 1, action + 2),
        )


@dataclass
class Plan:
    """Every process of the profile: its command, and what its environment adds to `base_env`."""

    base_env: dict[str, str]
    endpoints_file: Path | None = None
    commands: dict[str, list[str]] = field(default_factory=dict)
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, name: str, command: list[str], **overrides: str) -> None:
        self.commands[name] = command
        self.overrides[name] = overrides

    def env_for(self, name: str) -> dict[str, str]:
        return {**self.base_env, **self.overrides[name]}

    def procfile(self) -> str:
        """For honcho, run with `base_env` as its environment."""
        lines = ["# Written by `make run-prod` (ops/run_prod.py) from ops/prod.py; do not edit."]
        for name, command in self.commands.items():
            env = "".join(f"{key}={shlex.quote(value)} " for key, value in self.overrides[name].items())
            lines.append(f"{name}: exec {'env ' + env if env else ''}{shlex.join(command)}")
        return "\n".join(lines) + "\n"


def check(settings: Settings) -> None:
    """Refuse a 'production profile' that would quietly fall back to development stores."""
    problems = []
    if not settings.database_url.startswith("postgresql"):
        problems.append("DATABASE_URL must be a postgresql:// URL")
    if not settings.tracker_database_url.startswith("postgresql"):
        problems.append("TRACKER_DATABASE_URL must be a postgresql:// URL (Rasa's tracker store)")
    if not settings.redis_url:
        problems.append("REDIS_URL must be set (Rasa's lock store and the shared rate limits)")
    if not Path(HAPROXY).exists() and not shutil.which("haproxy"):
        problems.append("HAProxy is not installed (apt-get install haproxy)")
    if problems:
        raise ProfileError("The production profile needs:\n  - " + "\n  - ".join(problems))


def haproxy_config(ports: Ports) -> str:
    web_servers = "\n".join(f"    server web{i} 127.0.0.1:{port} check" for i, port in enumerate(ports.web, 1))
    action_servers = "\n".join(
        f"    server actions{i} 127.0.0.1:{port} check" for i, port in enumerate(ports.actions, 1)
    )
    return f"""# Written from ops/prod.py. Loopback only: the front is the one public port.
global
    maxconn 4000

defaults
    mode http
    timeout connect 1s
    timeout client 60s
    # Event streams send a keep-alive every 15 s, so 60 s of silence means a dead stream.
    timeout server 60s
    timeout http-request 10s
    # A refused connection (an instance that has just died) is retried on the other one.
    retries 2
    option redispatch 1
    retry-on conn-failure empty-response
    # A dead instance refuses at once and is retried elsewhere; a busy one may take a few
    # seconds to answer its check, and is not taken out of service for that.
    timeout check 5s
    default-server inter 2s fall 3 rise 2

frontend web
    bind 127.0.0.1:{ports.front}
    option forwardfor
    default_backend web

backend web
    balance roundrobin
    # A message sent to an instance that died before answering may have been stored and
    # passed to Rasa: sending it again would answer twice. Only a refused connection (never
    # received) is retried; the widget keeps the text and catches up on what was stored.
    http-request disable-l7-retry if METH_POST
    option httpchk GET /healthz
    http-check expect status 200
{web_servers}

frontend actions
    bind 127.0.0.1:{ports.action_front}
    default_backend actions

backend actions
    balance roundrobin
    timeout server {ACTION_TIMEOUT_MS}ms
    option httpchk GET /health
    http-check expect status 200
{action_servers}
"""


def _env_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plan(settings: Settings, model: Path, workdir: Path, ports: Ports | None = None) -> Plan:
    """The processes of the profile, for `settings` read from the environment."""
    from ops import endpoints

    ports = ports or Ports.from_settings(settings)
    workdir.mkdir(parents=True, exist_ok=True)
    endpoints_file = endpoints.write(
        workdir / "endpoints.yml",
        action_url=f"http://127.0.0.1:{ports.action_front}/webhook",
        tracker_database_url=settings.tracker_database_url,
        redis_url=settings.redis_url,
    )
    config_file = workdir / "haproxy.cfg"
    config_file.write_text(haproxy_config(ports))

    base = process_env(settings, model, endpoints_file)
    # Every process sees exactly these settings, whatever else is in the environment.
    base.update({name.upper(): _env_value(value) for name, value in settings.dict().items()})
    base.update(
        {
            "RASA_URLS": ",".join(f"http://127.0.0.1:{port}" for port in ports.rasa),
            "BOT_API_URL": f"http://127.0.0.1:{ports.front}",
            "BOT_API_TIMEOUT_SECONDS": str(ACTION_API_TIMEOUT_SECONDS),
            # The web instances sit behind HAProxy: the visitor's address is in X-Forwarded-For.
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
    )
    python = sys.executable
    rasa = str(Path(python).parent / "rasa")
    result = Plan(base_env=base, endpoints_file=endpoints_file)
    haproxy = HAPROXY if Path(HAPROXY).exists() else (shutil.which("haproxy") or HAPROXY)
    # -db: stay in the foreground (honcho and the tests manage it); -W: master-worker.
    result.add("proxy", [haproxy, "-W", "-db", "-f", str(config_file)])
    for i, port in enumerate(ports.web, 1):
        result.add(f"web{i}", [python, "-m", "bot", "serve"], WEB_HOST="127.0.0.1", WEB_PORT=str(port))
    for i, port in enumerate(ports.rasa, 1):
        command = [rasa, "run", "--interface", "127.0.0.1", "--port", str(port), "--model", str(model)]
        command += ["--endpoints", str(endpoints_file), "--credentials", str(ROOT / "credentials.yml")]
        command += ["--logging-config-file", str(ROOT / "runtime" / "rasa_logging.yml")]
        result.add(f"rasa{i}", command)
    for i, port in enumerate(ports.actions, 1):
        result.add(f"actions{i}", action_server_command(port, python), SANIC_HOST="127.0.0.1", ACTION_PORT=str(port))
    hours = str(settings.retention_interval_hours)
    result.add("retention", [python, "-m", "bot", "purge", "--every-hours", hours])
    return result
