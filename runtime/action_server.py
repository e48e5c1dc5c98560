"""The action server: rasa_sdk's app, refusing any call that does not carry ACTION_TOKEN.

`python -m runtime.action_server --actions actions --port 5055` (Procfile). Rasa sends the
token on every call (the `Authorization` header of var/endpoints.yml's action_endpoint).
Without it anyone who can reach the port could run an action with a hand-made tracker:
create a ticket with made-up details, or link one to another visitor's conversation.
Only /health (the load balancer's probe) answers without the token.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import zlib

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser
from sanic import Sanic, response
from sanic.request import Request

from runtime.hop import MissingSecret, refusal, secret_from_environment, unauthorised, unreadable

log = logging.getLogger("runtime.action_server")  # the same name when run with -m

OPEN_PATHS = frozenset({"/health"})


def _body(request: Request):
    if request.headers.get("content-encoding", "").lower() == "deflate":
        return json.loads(zlib.decompress(request.body))
    return json.loads(request.body or b"")


def guard(app: Sanic, secret: str) -> Sanic:
    """Check the token (and, for a POST, a JSON object body) before rasa_sdk dispatches."""

    @app.middleware("request")
    async def check(request: Request):
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        if request.method == "POST":
            problem = refusal(request.headers, secret)
            if problem is None:
                problem = unreadable(lambda: _body(request))
        else:
            problem = unauthorised(request.headers, secret)
        if problem is None:
            return None
        status, reason = problem
        # One line per refused call: a client's mistake is not a fault of ours.
        log.warning("Refused %s %s: %s (%s)", request.method, request.path, status, reason)
        return response.json({"error": reason}, status=status)

    return app


def build(actions: str, secret: str) -> Sanic:
    # No CORS: Rasa is the only caller, never a browser.
    return guard(create_app(actions, cors_origins=None), secret)


def main(argv: list[str] | None = None) -> int:
    args = create_argument_parser().parse_args(argv)
    try:
        secret = secret_from_environment("ACTION_TOKEN")
    except MissingSecret as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = build(args.actions, secret)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    log.info("Action endpoint is up and running on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
