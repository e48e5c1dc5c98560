"""Personal data kept out of the logs: email addresses and phone numbers (UK ones however
written, others in international form) are masked,
and conversation ids in paths shortened.

Visitors type their contact details into the chat and staff search the queue by them, so
they turn up in messages and in access-log lines (`/staff?q=jo%40example.com`). The
filter masks them in the message, its arguments and any traceback before a handler
formats the record. Standard library only: the action server uses it too.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from typing import Any

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

# Also URL-encoded, as in query strings (%40 for @), and twice, as in a sign-in page's
# ?next= holding a search (%2540).
EMAIL = re.compile(r"(?:[\w.+-]|%2B|%252B)+(?:@|%40|%2540)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# 07700 900123, 020 7946 0958, (020) 7946 0958, +44 7700 900123, +44 (0)20 7946 0958,
# 0044 20..., and in query strings 07700+900123, 07700%20900123, %2B447700900123 (and
# encoded twice: 07700%2B900123, %252B44...).
_SEP = r"(?:[\s()\-+]|%20|%2B|%2520|%252B){0,2}"
PHONE = re.compile(
    # Starts a word, not inside an id, or follows an encoded space, plus or equals sign.
    r"(?:(?<![\w-])|(?<=%20)|(?<=%2B)|(?<=%3D))"
    r"(?:(?:\+|%2B|%252B|00)44" + _SEP + r"(?:\(0\)" + _SEP + r")?|\(?0)"
    r"(?:" + _SEP + r"\d){9,10}"
    r"(?!\d)"
)

# Any other country's number, written internationally: +1 415 555 2671, +33 1 23 45 67 89,
# +353 87 123 4567 (and %2B... in query strings).
INTERNATIONAL_PHONE = re.compile(
    r"(?:(?<![\w-])|(?<=%20)|(?<=%3D))(?:\+|%2B|%252B)[1-9](?:" + _SEP + r"\d){6,13}(?!\d)"
)

# A conversation's id in a path (`/chat/api/conversations/<id>/messages`) is half of what
# reads it: the access log keeps its first four characters, enough to follow one visit.
CONVERSATION = re.compile(r"(/conversations/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]+")

_traceback_formatter = logging.Formatter()


def mask(text: str) -> str:
    """The text with email addresses and phone numbers replaced by placeholders, and
    conversation ids in paths cut to their first four characters."""
    masked = PHONE.sub(PHONE_MASK, EMAIL.sub(EMAIL_MASK, text))
    return CONVERSATION.sub(r"\1\2...", INTERNATIONAL_PHONE.sub(PHONE_MASK, masked))


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, int | float):
        return value  # keeps %d and %f working
    text = str(value)
    masked = mask(text)
    return value if masked == text else masked


class PersonalDataFilter(logging.Filter):
    """Masks email addresses and UK phone numbers in every record it sees; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _mask_value(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _mask_value(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_mask_value(value) for value in record.args)
        if record.exc_info or record.exc_text:
            # Formatters reuse exc_text, so the traceback is printed masked (another
            # handler may have formatted it already).
            record.exc_text = mask(record.exc_text or _traceback_formatter.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def install(*loggers: logging.Logger | str) -> None:
    """Add the filter to these loggers (default: the root logger) and to their handlers,
    once. A logger's own filters see only records logged to it, not to its children;
    its handlers see everything that propagates to them."""
    for logger in loggers or ("",):
        if isinstance(logger, str):
            logger = logging.getLogger(logger)
        for filterer in (logger, *logger.handlers):
            if not any(isinstance(existing, PersonalDataFilter) for existing in filterer.filters):
                filterer.addFilter(PersonalDataFilter())


class QuietHealthChecks(logging.Filter):
    """Drops the access-log line of a successful `/healthz` probe: a load balancer sends
    one every second or two, and they would bury the lines that matter."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        return not (isinstance(args, tuple) and len(args) >= 5 and args[2] == "/healthz" and args[4] == 200)


def uvicorn_log_config() -> dict:
    """uvicorn's own logging configuration with the filter on every handler, and a root
    handler (warnings and errors, as before) so the service's own loggers are masked too."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["personal_data"] = {"()": PersonalDataFilter}
    config["filters"]["quiet_health_checks"] = {"()": QuietHealthChecks}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "personal_data"]
    config["handlers"]["access"]["filters"].append("quiet_health_checks")
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
