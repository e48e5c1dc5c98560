"""Small builders for test data."""

from __future__ import annotations

from datetime import date

from bot.directory.models import Ambassador
from bot.faq.models import FaqEntry


def faq_entry(
    session,
    *,
    id="test-entry",
    question="What is a test?",
    alternatives=None,
    answer="A test answer.",
    topic="about-mutuals",
    published=True,
) -> FaqEntry:
    entry = FaqEntry(
        id=id,
        question=question,
        alternatives=alternatives or [],
        answer=answer,
        topic=topic,
        source_url="https://www.gov.uk/",
        last_reviewed=date(2026, 11, 26),
        published=published,
    )
    session.add(entry)
    session.flush()
    return entry


def ambassador(session, *, id, name, sectors=(), region=None, active=True, **extra) -> Ambassador:
    extra.setdefault("expertise", [])
    row = Ambassador(id=id, name=name, sectors=list(sectors), region=region, active=active, **extra)
    session.add(row)
    session.flush()
    return row
