"""`make run-prod`: the production profile on this machine (see ops/prod.py). Reads
DATABASE_URL, TRACKER_DATABASE_URL and REDIS_URL from the environment or `.env`, migrates
and loads the content once, then runs every process under honcho. One Ctrl-C stops all."""

from __future__ import annotations

import subprocess
import sys
import time

from bot.config import get_settings
from ops import prod
from ops.processes import ROOT, rasa_answers, run_under_honcho
from ops.run import prepare
from runtime import tracker_schema


def _announce_when_ready(plan_ports: prod.Ports, honcho: subprocess.Popen, rasa_token: str) -> None:
    import requests

    deadline = time.monotonic() + 600
    front = f"http://127.0.0.1:{plan_ports.front}"
    while time.monotonic() < deadline and honcho.poll() is None:
        try:
            web_ok = requests.get(f"{front}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            web_ok = False
        if web_ok and all(rasa_answers(f"http://127.0.0.1:{port}", rasa_token) for port in plan_ports.rasa):
            print(
                f"\n==> The production profile is ready: {front}/ (two web instances behind HAProxy,"
                f" Rasa on {', '.join(map(str, plan_ports.rasa))}). Ctrl-C stops everything.\n",
                flush=True,
            )
            return
        time.sleep(2)


def main() -> int:
    settings = get_settings()
    try:
        prod.check(settings)
    except prod.ProfileError as exc:
        print(exc, file=sys.stderr)
        return 2
    settings, model_file, _ = prepare()
    ports = prod.Ports.from_settings(settings)
    workdir = ROOT / "var" / "prod"
    plan = prod.plan(settings, model_file, workdir, ports)
    print("==> Creating Rasa's tracker tables (once, before the Rasa servers start)", flush=True)
    tracker_schema.create_in_subprocess(plan.endpoints_file)
    procfile = workdir / "Procfile"
    procfile.write_text(plan.procfile())
    print(f"==> Starting {', '.join(plan.commands)} (see {procfile.relative_to(ROOT)})", flush=True)
    return run_under_honcho(
        procfile, plan.base_env, lambda honcho: _announce_when_ready(ports, honcho, settings.rasa_token)
    )


if __name__ == "__main__":
    sys.exit(main())
