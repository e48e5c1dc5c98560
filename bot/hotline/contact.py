"""Checks on the contact details a visitor gives. Pure functions: the action server's
form validation and the internal API apply the same rules."""

from __future__ import annotations

import re

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE_IN_TEXT = re.compile(r"(?:\+|\(?0)[\d\s()\-]{8,20}\d")


def normalise_email(text: str | None) -> str | None:
    """The address if `text` is (or plainly contains) one valid email address, else None."""
    if not text:
        return None
    candidate = text.strip().strip(".,;<>")
    if not _EMAIL.match(candidate):
        found = _EMAIL_IN_TEXT.findall(text)
        if len(found) != 1:
            return None
        candidate = found[0].strip(".")
    if len(candidate) > 254 or ".." in candidate or not _EMAIL.match(candidate):
        return None
    local, _, domain = candidate.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_phone(text: str | None) -> str | None:
    """A UK number as 0xxxx xxxxxx, an international one as +digits, else None."""
    if not text:
        return None
    candidate = text.strip()
    if not re.fullmatch(r"[\d\s()+\-.]+", candidate):
        found = _PHONE_IN_TEXT.findall(text)
        if len(found) != 1:
            return None
        candidate = found[0]
    if candidate.count("+") > 1 or ("+" in candidate and not candidate.startswith("+")):
        return None
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+"):
        if digits.startswith("44"):
            digits = "0" + digits[2:].removeprefix("0")
        elif 8 <= len(digits) <= 15:
            return "+" + digits
        else:
            return None
    if not digits.startswith("0") or len(digits) not in (10, 11) or digits.startswith("00"):
        return None
    return _format_uk(digits)


def _format_uk(digits: str) -> str:
    if len(digits) == 10:
        return f"{digits[:5]} {digits[5:]}"
    if digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits.startswith("01") and (digits[2] == "1" or digits[3] == "1"):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


def detect_contact_method(text: str | None) -> str | None:
    """'email' or 'phone' from what a visitor typed when asked how to be contacted."""
    if not text:
        return None
    words = set(re.findall(r"[a-z]+", text.lower()))
    if normalise_email(text):
        return "email"
    if normalise_phone(text):
        return "phone"
    wants_email = bool(words & {"email", "e", "mail", "emails", "emailed", "inbox"})
    wants_phone = bool(
        words & {"phone", "telephone", "call", "ring", "mobile", "landline", "number", "tel", "phoned", "text"}
    )
    if wants_email and not wants_phone:
        return "email"
    if wants_phone and not wants_email:
        return "phone"
    return None
