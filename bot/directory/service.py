"""The Mutuals Ambassadors directory: lookups and matching by sector, region or name."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content.dates import months_before
from bot.directory import places, sectors
from bot.directory.models import Ambassador

# Enough for the whole directory when a visitor asks for everyone.
MAX_MATCHES = 8


class AmbassadorNotFound(LookupError):
    pass


@dataclass
class Query:
    sector: str | None = None
    region: str | None = None
    name: str | None = None
    unrecognised_sector: str | None = None
    unrecognised_region: str | None = None
    # A place outside England (the directory covers England), as the visitor named it.
    outside_england: str | None = None
    sectors_mentioned: list[str] = field(default_factory=list)


@dataclass
class SearchOutcome:
    query: Query
    matches: list[Ambassador] = field(default_factory=list)
    relaxed: str | None = None
    by_experience: bool = False


def get(*, db_session: Session, ambassador_id: str) -> Ambassador | None:
    return db_session.get(Ambassador, ambassador_id)


def get_or_raise(*, db_session: Session, ambassador_id: str) -> Ambassador:
    ambassador = get(db_session=db_session, ambassador_id=ambassador_id)
    if ambassador is None:
        raise AmbassadorNotFound(ambassador_id)
    return ambassador


def list_active(*, db_session: Session) -> list[Ambassador]:
    return list(db_session.scalars(select(Ambassador).where(Ambassador.active.is_(True)).order_by(Ambassador.name)))


def match_name(name: str, ambassadors: list[Ambassador]) -> list[Ambassador]:
    """Ambassadors whose full name, surname or unique first name is (nearly) `name`."""
    wanted = " ".join(name.lower().split())
    by_key: dict[str, list[Ambassador]] = {}
    for ambassador in ambassadors:
        full = ambassador.name.lower()
        parts = full.split()
        for key in {full, parts[-1], parts[0]}:
            by_key.setdefault(key, []).append(ambassador)
    if wanted in by_key:
        return by_key[wanted]
    close = difflib.get_close_matches(wanted, by_key.keys(), n=1, cutoff=0.8)
    return by_key[close[0]] if close else []


def names_mentioned(text: str, ambassadors: list[Ambassador]) -> list[Ambassador]:
    folded = f" {' '.join(text.lower().replace(',', ' ').replace('?', ' ').split())} "
    found = [a for a in ambassadors if f" {a.name.lower()} " in folded]
    if found:
        return found
    surnames = [a for a in ambassadors if f" {a.name.lower().split()[-1]} " in folded]
    return surnames


_WORD = re.compile(r"[a-z]{5,}")
# Words too common in requests to say anything about an ambassador's experience.
_NOT_EXPERIENCE = frozenset(
    """ambassador ambassadors mentor mentors mentoring about there someone anyone somebody
    looking would could should which their where experience experienced background public
    service services mutual mutuals staff council organisation running leading support please
    thanks advice""".split()
)


def experienced_in(text: str, ambassadors: list[Ambassador]) -> list[Ambassador]:
    """Ambassadors whose listed experience or organisation shares a telling word with the
    request ("someone on the Mutuals Taskforce"), best match first."""
    wanted = {w for w in _WORD.findall(text.lower()) if w not in _NOT_EXPERIENCE}
    if not wanted:
        return []
    scored = []
    for ambassador in ambassadors:
        theirs = " ".join([*(ambassador.expertise or []), ambassador.organisation or ""]).lower()
        shared = {w for w in wanted if w in set(_WORD.findall(theirs))}
        if shared:
            scored.append((-len(shared), ambassador.name, ambassador))
    return [a for *_, a in sorted(scored, key=lambda item: item[:2])]


def interpret(*, sector: str | None, region: str | None, name: str | None, text: str | None) -> Query:
    query = Query(name=name.strip() if name and name.strip() else None)
    if sector:
        query.sector = sectors.sector_for(sector)
        if query.sector is None:
            query.unrecognised_sector = sector
    if region:
        query.region = places.region_for(region)
        if query.region is None:
            if places.outside_england(region):
                query.outside_england = " ".join(region.split()).title()
            else:
                query.unrecognised_region = region
    if text:
        if query.sector is None:
            # Also when the sector entity was not recognised: the classifier may have picked
            # out part of it ("adult" of "adult social care").
            query.sectors_mentioned = sectors.sectors_mentioned(text)
            if query.sectors_mentioned:
                query.sector, query.unrecognised_sector = query.sectors_mentioned[0], None
        elif query.sector is not None:
            # The classifier picks out one sector; "commercial or retail experience" names two.
            others = [s for s in sectors.sectors_mentioned(text) if s != query.sector]
            query.sectors_mentioned = [query.sector, *others] if others else []
        if query.region is None and not query.outside_england:
            # Also when the region entity was not recognised: it may be part of a place
            # the text names in full ("Greater" of "Greater Manchester").
            found = places.regions_mentioned(text)
            if found:
                query.region, query.unrecognised_region = found[0], None
            else:
                elsewhere = places.places_outside_england(text)
                if elsewhere:
                    query.outside_england, query.unrecognised_region = elsewhere[0][0], None
    return query


def search(
    *,
    db_session: Session,
    sector: str | None = None,
    region: str | None = None,
    name: str | None = None,
    text: str | None = None,
) -> SearchOutcome:
    ambassadors = list_active(db_session=db_session)
    query = interpret(sector=sector, region=region, name=name, text=text)

    if query.name:
        return SearchOutcome(query=query, matches=match_name(query.name, ambassadors))
    if text:
        named = names_mentioned(text, ambassadors)
        if named:
            query.name = named[0].name
            return SearchOutcome(query=query, matches=named)

    wanted_sectors = {query.sector}

    def matching(use_sector: bool, use_region: bool) -> list[Ambassador]:
        return [
            a
            for a in ambassadors
            if (not use_sector or wanted_sectors & set(a.sectors or []))
            and (not use_region or a.region == query.region)
        ]

    if query.outside_england or query.unrecognised_region:
        # Nobody can be said to be there: never the whole directory instead.
        return SearchOutcome(query=query, matches=[])
    if len(query.sectors_mentioned) > 1:
        # "commercial or retail experience": anyone in any of the sectors named that somebody
        # in the directory works in ("health ... contracts": health).
        covered = [s for s in query.sectors_mentioned if any(s in (a.sectors or []) for a in ambassadors)]
        query.sector = covered[0] if covered else query.sector
        wanted_sectors = set(covered) or wanted_sectors
    if text and query.sector is None and query.region is None:
        by_experience = experienced_in(text, ambassadors)
        if by_experience:
            return SearchOutcome(query=query, matches=by_experience[:MAX_MATCHES], by_experience=True)

    want_sector, want_region = query.sector is not None, query.region is not None
    matches = matching(want_sector, want_region)
    relaxed = None
    if not matches and want_sector and want_region:
        # Nobody in that sector and region: people in the sector elsewhere are still useful.
        matches, relaxed = matching(True, False), "region"
        if not matches:
            matches, relaxed = matching(False, True), "sector"
    return SearchOutcome(query=query, matches=matches[:MAX_MATCHES], relaxed=relaxed)


def is_confirmed(ambassador: Ambassador, *, months: int, today: date | None = None) -> bool:
    """A member of staff confirmed, within `months` months, that the ambassador still
    mentors: only then does the bot offer an introduction."""
    return bool(
        ambassador.active and ambassador.confirmed_on and ambassador.confirmed_on >= months_before(months, today)
    )


def confirm(*, db_session: Session, ambassador: Ambassador, by: str, today: date | None = None) -> None:
    """Record that `by` (a member of staff) confirmed today that the ambassador still mentors."""
    ambassador.confirmed_on = today or date.today()
    ambassador.confirmed_by = by
    db_session.flush()


def to_read(ambassador: Ambassador, *, confirmation_months: int) -> dict:
    return {
        "id": ambassador.id,
        "name": ambassador.name,
        "role": ambassador.role,
        "organisation": ambassador.organisation,
        "sectors": list(ambassador.sectors or []),
        "sector_labels": [sectors.SECTORS.get(s, s) for s in ambassador.sectors or []],
        "region": ambassador.region,
        "region_label": places.REGIONS.get(ambassador.region) if ambassador.region else None,
        "location": ambassador.location,
        "expertise": list(ambassador.expertise or []),
        "availability": ambassador.availability,
        "summary": ambassador.summary,
        "active": ambassador.active,
        "as_of": ambassador.as_of,
        "confirmed": is_confirmed(ambassador, months=confirmation_months),
        "confirmed_on": ambassador.confirmed_on,
    }
