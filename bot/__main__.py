"""Project commands: `python -m bot migrate | load-content | create-staff | serve`."""

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
    staff = commands.add_parser("create-staff", help="create a staff account for the console")
    staff.add_argument("--email", required=True)
    staff.add_argument("--name", required=True, help="the name colleagues see")
    staff.add_argument("--role", choices=["agent", "admin"], default="agent")
    staff.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
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

    if args.command == "create-staff":
        import getpass

        from bot.console import auth
        from bot.database.core import make_engine, make_session_factory, session_scope

        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password (at least 12 characters): ")
            if getpass.getpass("Password again: ") != password:
                print("The passwords do not match.", file=sys.stderr)
                return 1
        engine = make_engine(settings.database_url)
        try:
            with session_scope(make_session_factory(engine)) as db_session:
                account = auth.create_staff(
                    db_session=db_session, email=args.email, display_name=args.name, password=password, role=args.role
                )
                print(f"Created {account.role} account {account.email}. Sign in at /staff.")
        except auth.AccountError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        return 0

    if args.command == "serve":
        import uvicorn

        from bot import logs

        uvicorn.run(
            "bot.main:create_app",
            factory=True,
            host=settings.web_host,
            port=settings.web_port,
            reload=args.reload,
            proxy_headers=False,
            log_level="info",
            log_config=logs.uvicorn_log_config(),  # masks email addresses and phone numbers
            # Open event streams would otherwise hold a shutdown for minutes; widgets reconnect.
            timeout_graceful_shutdown=5,
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
