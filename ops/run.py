"""`make run`: set up the store, the model and the endpoints, then start all three
processes under honcho. One Ctrl-C stops them all."""

from __future__ import annotations

import subprocess
import sys

from bot.config import get_settings
from bot.content import loader
from bot.database import migrate
from bot.database.core import make_engine, make_session_factory, session_scope
from bot.privacy.files import keep_private
from ops import model
from ops.processes import ROOT, process_env, run_under_honcho, wait_until_ready, write_endpoints


def prepare():
    settings = get_settings()
    keep_private(ROOT / "var")  # the stores, trackers and endpoints file: owner only
    print("==> Migrating the store", flush=True)
    migrate.upgrade(settings.database_url)
    print("==> Loading FAQ entries and ambassadors from data/content", flush=True)
    engine = make_engine(settings.database_url)
    with session_scope(make_session_factory(engine)) as db_session:
        print(loader.load(db_session=db_session).summary(), flush=True)
    engine.dispose()
    print("==> Checking the Rasa model", flush=True)
    model_file = model.ensure_model()
    endpoints_file = write_endpoints(settings, ROOT / "var" / "endpoints.yml")
    return settings, model_file, endpoints_file


def _announce_when_ready(settings, honcho: subprocess.Popen) -> None:
    if not wait_until_ready(settings, alive=lambda: honcho.poll() is None):
        return
    web = f"http://{settings.web_host}:{settings.web_port}"
    rasa = f"http://{settings.rasa_host}:{settings.rasa_port}"
    print(
        f"""
==> The assistant is ready.
    Open {web}/ in a browser and press "Ask a question".

    Internal API docs: {web}/api/docs
    Rasa's channel: {rasa}/webhooks/gateway/webhook  (the gateway's alone: it needs RASA_TOKEN)

    Press Ctrl-C to stop everything.
""",
        flush=True,
    )


def main() -> int:
    settings, model_file, endpoints_file = prepare()
    env = process_env(settings, model_file, endpoints_file)
    print("==> Starting the web service, Rasa and the action server (Rasa takes about a minute)", flush=True)
    return run_under_honcho(ROOT / "Procfile", env, lambda honcho: _announce_when_ready(settings, honcho))


if __name__ == "__main__":
    sys.exit(main())
