"""Project commands: `python -m bot migrate | load-content | create-staff | reset-password | serve | purge |
erase`."""

from __future__ import annotations

import argparse
import sys

from bot.config import get_settings
from bot.privacy.files import private_umask


def main(argv: list[str] | None = None) -> int:
    private_umask()  # a SQLite store or anything else this creates: owner only
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
    reset = commands.add_parser("reset-password", help="give a staff account a new password, signing it out everywhere")
    reset.add_argument("--email", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    serve = commands.add_parser("serve", help="run the bot web service")
    serve.add_argument("--reload", action="store_true")
    purge = commands.add_parser("purge", help="anonymise conversations idle for longer than the retention period")
    purge.add_argument("--days", type=int, default=None, help="the retention period (default RETENTION_DAYS)")
    purge.add_argument("--dry-run", action="store_true", help="count what would be anonymised; change nothing")
    purge.add_argument(
        "--every-hours",
        type=float,
        nargs="?",
        const=True,  # no value: the setting
        default=None,
        metavar="H",
        help="keep running, purging every H hours (default RETENTION_INTERVAL_HOURS) until SIGTERM or Ctrl-C",
    )
    erase = commands.add_parser("erase", help="erase one visitor's personal data, found by a ticket reference")
    erase.add_argument("reference", help="the ticket reference, e.g. MIS-000123")
    erase.add_argument("--actor", default="erasure request", help="who asked, for the ticket's audit trail")
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

    if args.command in ("create-staff", "reset-password"):
        password = _new_password(args.password_stdin)
        if password is None:
            print("The passwords do not match.", file=sys.stderr)
            return 1
    if args.command == "reset-password":
        from bot.console import auth
        from bot.database.core import make_engine, make_session_factory, session_scope

        engine = make_engine(settings.database_url)
        try:
            with session_scope(make_session_factory(engine)) as db_session:
                account = auth.get_by_email(db_session=db_session, email=args.email)
                if account is None:
                    print(f"There is no staff account {args.email}.", file=sys.stderr)
                    return 1
                auth.set_password(db_session=db_session, account=account, password=password)
                print(f"New password set for {account.email}; it is signed out everywhere.")
        except auth.AccountError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        return 0

    if args.command == "create-staff":
        from bot.console import auth
        from bot.database.core import make_engine, make_session_factory, session_scope

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

    if args.command == "purge":
        return _purge(args, settings)

    if args.command == "erase":
        from bot.database.core import make_engine, make_session_factory, session_scope
        from bot.hotline.service import TicketNotFound
        from bot.privacy import service as privacy_service

        engine = make_engine(settings.database_url)
        try:
            with session_scope(make_session_factory(engine)) as db_session:
                report = privacy_service.erase(
                    db_session=db_session,
                    reference=args.reference,
                    tracker_url=settings.tracker_database_url,
                    actor=args.actor,
                )
        except TicketNotFound:
            print(f"There is no ticket {args.reference.strip().upper()}. Check the reference.", file=sys.stderr)
            return 1
        print(f"Erased the personal data of {args.reference.strip().upper()}. {report.summary()}")
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
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=settings.forwarded_allow_ips or None,
            log_level="info",
            log_config=logs.uvicorn_log_config(),  # masks email addresses and phone numbers
            # Open event streams would otherwise hold a shutdown for minutes; widgets reconnect.
            timeout_graceful_shutdown=5,
        )
        return 0
    return 2


def _new_password(from_stdin: bool) -> str | None:
    """A password typed twice (None if the two differ), or one line of standard input."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password (at least 12 characters): ")
    return password if getpass.getpass("Password again: ") == password else None


def _purge(args: argparse.Namespace, settings) -> int:
    from bot.database.core import make_engine, make_session_factory, session_scope, utcnow
    from bot.privacy import schedule
    from bot.privacy import service as privacy_service

    days = settings.retention_days if args.days is None else args.days
    hours = settings.retention_interval_hours if args.every_hours in (None, True) else args.every_hours
    if days < 1 or hours <= 0:
        print("The retention period must be at least a day, and the interval more than nothing.", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)

    def run_once() -> None:
        with session_scope(factory) as db_session:
            report = privacy_service.purge(
                db_session=db_session, days=days, tracker_url=settings.tracker_database_url, dry_run=args.dry_run
            )
            if args.dry_run:
                db_session.rollback()
        print(f"{utcnow():%Y-%m-%d %H:%M} UTC, retention {days} days. {report.summary()}", flush=True)

    try:
        if args.every_hours is None:
            run_once()
        else:
            print(f"Purging every {hours:g} hours; SIGTERM or Ctrl-C stops.", flush=True)
            schedule.every(hours=hours, job=run_once)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
