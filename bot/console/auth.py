"""Staff accounts, sign-in, sessions and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.console.models import StaffSession
from bot.database.core import utcnow
from bot.hotline.models import StaffAccount

ROLES = ("agent", "admin")
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(*, db_session: Session, email: str) -> StaffAccount | None:
    return db_session.scalar(select(StaffAccount).where(func.lower(StaffAccount.email) == normalise_email(email)))


def create_staff(*, db_session: Session, email: str, display_name: str, password: str, role: str) -> StaffAccount:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter a valid email address.")
    if not display_name.strip():
        raise AccountError("Enter a display name.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if get_by_email(db_session=db_session, email=email) is not None:
        raise AccountError(f"An account for {email} already exists.")
    account = StaffAccount(
        email=email, display_name=display_name.strip(), password_hash=hash_password(password), role=role
    )
    db_session.add(account)
    db_session.flush()
    return account


def set_password(*, db_session: Session, account: StaffAccount, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    account.password_hash = hash_password(password)
    db_session.execute(delete(StaffSession).where(StaffSession.staff_id == account.id))


def authenticate(*, db_session: Session, email: str, password: str) -> StaffAccount | None:
    account = get_by_email(db_session=db_session, email=email)
    if account is None or not account.active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(account.password_hash, password):
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


class FailedSignIns:
    """Wrong passwords for one account are slowed, never blocked: blocking by email would
    let anyone lock a named colleague out. After `free` failures within `window` seconds,
    each further attempt on that account waits twice as long as the one before, up to
    `longest` seconds. (Attempts from one address are limited separately.)"""

    def __init__(self, *, free: int = 5, window: float = 15 * 60, longest: float = 8.0, clock=time.monotonic):
        self.free, self.window, self.longest = free, window, longest
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, email: str) -> deque[float]:
        failures = self._failures[normalise_email(email)]
        while failures and failures[0] <= self._clock() - self.window:
            failures.popleft()
        return failures

    def delay(self, email: str) -> float:
        """How long the next attempt on this account waits, in seconds."""
        with self._lock:
            extra = len(self._recent(email)) - self.free
        return 0.0 if extra < 0 else min(self.longest, 0.5 * 2**extra)

    def failed(self, email: str) -> None:
        with self._lock:
            self._recent(email).append(self._clock())
            if len(self._failures) > 10_000:  # forget idle accounts so memory stays bounded
                for idle in [k for k, v in self._failures.items() if not v]:
                    del self._failures[idle]

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(normalise_email(email), None)


def _session_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, db_session: Session, account: StaffAccount) -> tuple[str, StaffSession]:
    """A new session (a new id at every sign-in, so a planted id is useless)."""
    token = secrets.token_urlsafe(32)
    session = StaffSession(id=_session_key(token), staff_id=account.id, csrf_token=secrets.token_urlsafe(32))
    db_session.add(session)
    db_session.flush()
    return token, session


def end_session(*, db_session: Session, token: str | None) -> None:
    if token:
        db_session.execute(delete(StaffSession).where(StaffSession.id == _session_key(token)))


def load_session(
    *, db_session: Session, token: str | None, settings: Settings
) -> tuple[StaffSession, StaffAccount] | None:
    """The live session and its account, or None. Expired sessions are removed."""
    if not token:
        return None
    session = db_session.get(StaffSession, _session_key(token))
    if session is None:
        return None
    now = utcnow()
    idle = now - session.last_seen_at > timedelta(minutes=settings.staff_session_idle_minutes)
    too_old = now - session.created_at > timedelta(hours=settings.staff_session_absolute_hours)
    account = db_session.get(StaffAccount, session.staff_id)
    if idle or too_old or account is None or not account.active:
        db_session.delete(session)
        return None
    session.last_seen_at = now
    return session, account


def csrf_ok(session: StaffSession, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf_token, submitted)
