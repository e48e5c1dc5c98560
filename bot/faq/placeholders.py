"""Contact routes in FAQ answers come from configuration, never from the content.

An answer says "call the hotline on {hotline_number} ({office_hours}) or email
{hotline_email}"; the web service fills the placeholders from the deployment's settings
when it gives the answer, so one change in `.env` updates every answer that gives a
contact route. The content loader and the staff console refuse any other placeholder,
and the content check (tests/content) refuses a literal phone number or email address.
"""

from __future__ import annotations

import re

from bot.hotline.office_hours import OfficeHours

PLACEHOLDERS = ("hotline_number", "hotline_email", "office_hours")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def unknown(text: str) -> list[str]:
    """The placeholders in `text` that the service cannot fill (and stray braces)."""
    found = [name for name in _PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS]
    stray = re.sub(r"\{[a-z_]+\}", "", text or "")
    if "{" in stray or "}" in stray:
        found.append("a stray brace")
    return found


def values(settings) -> dict[str, str]:
    """What each placeholder stands for, from a deployment's settings (bot.config.Settings)."""
    return {
        "hotline_number": settings.hotline_number,
        "hotline_email": settings.hotline_email,
        "office_hours": OfficeHours.parse(settings.office_hours, settings.office_timezone).describe(),
    }


def fill(text: str, settings) -> str:
    """`text` with every known placeholder replaced by the configured value."""
    known = values(settings)
    return _PLACEHOLDER.sub(lambda m: known.get(m.group(1), m.group(0)), text or "")
