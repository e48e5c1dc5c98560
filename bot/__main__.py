"""Project commands: `python -m bot migrate | load-content | serve`."""

from __future__ import annotations

import argparse
import sys

from bot.config import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or migrate the store to the newest schema")
    load = commands.add_parser("load-content", help="load FAQ entries and ambassadors from data/content")
    load.add_argument("--content-dir", default=None, help="folder holding faq.yml and ambassadors.yml")
    serve = commands.add_parser("serve", help="run the bot web service")
    serve.add_argument("--reload", action="store_true")
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "migrate":
        from bot.database import migrate

        migrate.upgrade(settings.database_url)
        print("Store is at the newest schema.")
        return 0

    if args.command == "load-content":
        from bot.content import loader
        from bot.database.core import make_engine, make_session_factory, session_scope

        engine = make_engine(settings.database_url)
        with session_scope(make_session_factory(engine)) as db_session:
            report = loader.load(db_session=db_session, content_dir=args.content_dir)
        print(report.summary())
        return 0

    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            "bot.main:create_app",
            factory=True,
            host=settings.web_host,
            port=settings.web_port,
            reload=args.reload,
            proxy_headers=False,
            log_level="info",
            # Open event streams would otherwise hold a shutdown for minutes; widgets reconnect.
            timeout_graceful_shutdown=5,
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
