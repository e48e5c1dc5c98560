"""One settings object, read from the environment (and a `.env` file)."""

from __future__ import annotations

import functools
from pathlib import Path

from dotenv import load_dotenv
from pydantic import BaseSettings, Field, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Development defaults, refused outside development (the settings' validator).
DEFAULT_SERVICE_TOKEN = "dev-service-token-not-for-production"  # noqa: S105
DEFAULT_RASA_TOKEN = "dev-rasa-token-not-for-production"  # noqa: S105
DEFAULT_ACTION_TOKEN = "dev-action-token-not-for-production"  # noqa: S105
DEFAULT_SECRETS = {
    "service_token": DEFAULT_SERVICE_TOKEN,
    "rasa_token": DEFAULT_RASA_TOKEN,
    "action_token": DEFAULT_ACTION_TOKEN,
}


class Settings(BaseSettings):
    environment: str = "development"

    # Stores. The bot web service owns `database_url`; Rasa keeps its trackers in
    # `tracker_database_url` (its own SQLite file, or its own database on the same server).
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'mutuals.db'}"
    tracker_database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa_tracker.db'}"

    # Processes, all on loopback by default.
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # Behind a reverse proxy (the production profile's HAProxy): the proxies' addresses,
    # whose X-Forwarded-For header gives the visitor's address for rate limits. Empty: none.
    forwarded_allow_ips: str = ""
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    # Several Rasa servers behind the gateway (round robin, comma-separated base URLs);
    # empty means the one at rasa_host:rasa_port.
    rasa_urls: str = ""
    action_host: str = "127.0.0.1"
    action_port: int = 5055

    # Redis, for the production profile: Rasa's lock store (one conversation's messages
    # handled in order whichever Rasa server gets them) and the gateway's shared rate limits.
    # Empty: no lock store beyond Rasa's in-memory one, rate limits kept per web instance.
    redis_url: str = ""

    # Every hop carries a secret (docs/decisions/0013-every-hop-carries-a-secret.md):
    # the action server calls the internal API with `service_token`; the gateway calls
    # Rasa's channel with `rasa_token` (also the key of the sender id Rasa sees, an HMAC of
    # the conversation id); Rasa calls the action server with `action_token`.
    service_token: str = DEFAULT_SERVICE_TOKEN
    rasa_token: str = DEFAULT_RASA_TOKEN
    action_token: str = DEFAULT_ACTION_TOKEN
    bot_api_url: str = "http://127.0.0.1:8000"
    bot_api_timeout_seconds: float = 3.0

    # What the assistant tells people.
    # The contact routes FAQ answers give ({hotline_number}, {hotline_email} and
    # {office_hours} in the content: bot/faq/placeholders.py). The defaults are the last
    # routes the sources name (the 2012 number; the DCMS address): a deployment sets the
    # current ones.
    hotline_number: str = "0845 539 0543"
    hotline_email: str = "mutuals@culture.gov.uk"

    # FAQ search: answer outright when the answer model's probability that the best entry
    # is right reaches `faq_answer_confidence` (bot/faq/confidence.py); offer "did you
    # mean" when the best entry scores at least `faq_suggest_threshold`; otherwise say there
    # is no answer. Chosen on the visitors dev set with `python -m ops.calibrate`
    # (docs/decisions/0011-answer-confidence.md).
    faq_answer_confidence: float = 0.78
    faq_suggest_threshold: float = 0.40
    # A message the intent classifier judged out of scope is still answered from the FAQ
    # store when its best entry scores at least this (and the answer rule holds).
    faq_out_of_scope_threshold: float = 0.90
    # An entry not reviewed against its sources for this many months is listed as due
    # for review in the console.
    faq_review_months: int = Field(12, ge=1, le=120)
    # An ambassador is offered for introductions only while a member of staff has confirmed
    # within this many months that they still mentor (the directory's "Confirm" button).
    ambassador_confirmation_months: int = Field(12, ge=1, le=60)

    # The widget gateway.
    max_message_length: int = 500
    # Origins allowed to embed the widget from another site (comma-separated); the
    # service's own pages need nothing here.
    chat_allowed_origins: str = ""
    chat_messages_per_minute: int = 20  # per conversation
    chat_requests_per_minute_per_address: int = 120
    chat_conversations_per_hour_per_address: int = 30
    # Reads (the transcript, opening the event stream) a minute from one address, and event
    # streams open at once on one conversation and from one address (per web instance).
    chat_reads_per_minute_per_address: int = 120
    chat_streams_per_conversation: int = 3
    chat_streams_per_address: int = 10
    rasa_timeout_seconds: float = 20.0
    # Event streams end after this long; the widget reconnects with Last-Event-ID.
    chat_stream_max_seconds: float = 300.0
    chat_stream_poll_seconds: float = 0.5

    # The staff console.
    staff_session_idle_minutes: int = 30
    staff_session_absolute_hours: int = 10
    staff_login_attempts_per_15_minutes: int = 10
    # When the hotline team answers live, e.g. "Mon-Fri 09:00-17:00" (times in office_timezone).
    office_hours: str = "Mon-Fri 09:00-17:00"
    office_timezone: str = "Europe/London"

    # Privacy: transcripts and contact details of conversations with no activity for this
    # many days (and no open ticket) are anonymised by `python -m bot purge`; the
    # production profile runs it every retention_interval_hours.
    retention_days: int = 365
    retention_interval_hours: float = 24.0

    class Config:
        env_file_encoding = "utf-8"

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS everywhere but a developer's machine (plain http on loopback)."""
        return self.environment not in ("development", "test")

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def rasa_servers(self) -> list[str]:
        """The Rasa servers the gateway sends to, in round-robin order."""
        urls = [url.strip().rstrip("/") for url in self.rasa_urls.split(",") if url.strip()]
        return urls or [self.rasa_url]

    @property
    def allowed_origins(self) -> list[str]:
        return [origin.strip() for origin in self.chat_allowed_origins.split(",") if origin.strip()]

    @validator("database_url", "tracker_database_url")
    def _normalise_database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @validator("service_token", "rasa_token", "action_token")
    def _strong_secret(cls, value: str, values: dict, field) -> str:
        environment = values.get("environment")
        name = field.name.upper()
        if environment != "development" and value == DEFAULT_SECRETS[field.name]:
            raise ValueError(f"{name} must be set to a secret value outside development")
        if environment == "production" and not strong_secret(value):
            raise ValueError(
                f"{name} must be at least {MIN_SECRET_LENGTH} random characters in production: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' makes one"
            )
        return value


# A production secret: long, and not a word or a repeated pattern (32 random characters of
# token_urlsafe have about 25 different ones).
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 16


def strong_secret(value: str) -> bool:
    return len(value) >= MIN_SECRET_LENGTH and len(set(value)) >= MIN_SECRET_DISTINCT


def normalise_database_url(url: str) -> str:
    """Accept the URL forms people paste (postgres://, relative SQLite paths)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql+psycopg2://"):
        url = "postgresql://" + url[len("postgresql+psycopg2://") :]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url[len("sqlite:///") :]
        if relative and relative != ":memory:":
            url = f"sqlite:///{(PROJECT_ROOT / relative).resolve()}"
    return url


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    load_dotenv(PROJECT_ROOT / ".env")
    return Settings()
