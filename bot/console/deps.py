"""Who is signed in to the console, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from bot.api.deps import get_db, get_settings_dep
from bot.config import Settings
from bot.console import auth
from bot.console.models import StaffSession
from bot.hotline.models import StaffAccount

SESSION_COOKIE = "mis_staff"
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class SignInRequired(Exception):
    def __init__(self, next_path: str):
        self.next_path = next_path


class NotAllowed(Exception):
    """Signed in, but this page needs another role (or a valid form token)."""

    def __init__(self, message: str):
        self.message = message


@dataclass
class Staff:
    account: StaffAccount
    session: StaffSession

    @property
    def is_admin(self) -> bool:
        return self.account.role == "admin"


def current_staff(
    request: Request, db_session: Session = Depends(get_db), settings: Settings = Depends(get_settings_dep)
) -> Staff:
    loaded = auth.load_session(db_session=db_session, token=request.cookies.get(SESSION_COOKIE), settings=settings)
    if loaded is None:
        db_session.commit()  # keep the removal of an expired session
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    session, account = loaded
    return Staff(account=account, session=session)


def admin_staff(staff: Staff = Depends(current_staff)) -> Staff:
    if not staff.is_admin:
        raise NotAllowed("Only administrators can change the FAQ store and the ambassador directory.")
    return staff


def check_csrf(staff: Staff, submitted: str | None) -> None:
    if not auth.csrf_ok(staff.session, submitted):
        raise NotAllowed(
            "This form has expired or did not come from the console. Go back, reload the page and try again."
        )


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def login_redirect(next_path: str) -> str:
    return f"/staff/login?next={quote(next_path, safe='')}"
