"""Load the FAQ entries and the ambassador directory from data/content into the store.

Idempotent: entries are matched by their stable id; an entry the file changed since it was
last loaded is updated in place, any other is left alone (its updated_at stays, and so do
the edits staff made to it in the console), and nothing is duplicated. Whether an entry is
published, and whether an ambassador is active, comes from the file only when the entry
is first loaded: afterwards only staff change it. Entries in the store that the files do
not mention (for example ones the team added in the staff console) are left as they are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import List

import yaml
from pydantic import BaseModel, HttpUrl, ValidationError, conlist, constr, validator
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.directory import places, sectors
from bot.directory.models import Ambassador
from bot.faq import placeholders
from bot.faq.enums import Topic
from bot.faq.models import FaqEntry

DEFAULT_CONTENT_DIR = PROJECT_ROOT / "data" / "content"

Slug = constr(regex=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)
Line = constr(strip_whitespace=True, min_length=1, max_length=300)
AsOf = constr(strip_whitespace=True, regex=r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$")


class ContentError(ValueError):
    pass


class Source(BaseModel):
    title: Line
    url: HttpUrl

    class Config:
        extra = "forbid"


class FaqFileEntry(BaseModel):
    id: Slug
    topic: Topic
    question: Line
    alternatives: conlist(Line, min_items=3)
    answer: constr(strip_whitespace=True, min_length=20, max_length=4000)
    source_url: HttpUrl
    # The main source's title, and the other sources the answer's claims rest on.
    source_title: Line | None = None
    also: List[Source] = []
    last_reviewed: date
    # For an answer about past figures or arrangements: when its time-bound facts were last
    # known true, "2018" or "2019-10". The answer shows "Correct as of October 2019" and
    # must itself say when ("in 2019, ..."): it names the year.
    as_of: AsOf | None = None

    class Config:
        extra = "forbid"

    def sources(self) -> list[dict]:
        """Every source, the main one first, as the store keeps them."""
        main = {"title": self.source_title, "url": str(self.source_url)}
        return [main, *({"title": s.title, "url": str(s.url)} for s in self.also if str(s.url) != main["url"])]

    @validator("as_of")
    def _dated_in_the_answer(cls, value: str | None, values: dict) -> str | None:
        answer = values.get("answer")
        if value and answer is not None and value[:4] not in answer:
            raise ValueError(f"the answer must say when its facts date from: it never mentions {value[:4]}")
        return value

    @validator("answer")
    def _known_placeholders(cls, value: str) -> str:
        unknown = placeholders.unknown(value)
        if unknown:
            raise ValueError(
                f"unknown placeholder {', '.join(unknown)}: an answer can use "
                + ", ".join(f"{{{name}}}" for name in placeholders.PLACEHOLDERS)
            )
        return value


class AmbassadorFileEntry(BaseModel):
    id: Slug
    name: Line
    role: Line | None
    organisation: Line | None
    sectors: List[constr(strip_whitespace=True)]
    region: str | None
    location: Line | None
    expertise: List[Line]
    availability: Line | None
    active: bool = True
    # When the details were last known true (the source's date), shown with them. Whether
    # the ambassador still mentors is confirmed by staff in the console, never in a file.
    as_of: date | None = None
    source_url: HttpUrl | None
    summary: constr(strip_whitespace=True, max_length=2000) | None

    class Config:
        extra = "forbid"

    @validator("sectors", each_item=True)
    def _known_sector(cls, value: str) -> str:
        if value not in sectors.SECTORS:
            raise ValueError(f"unknown sector '{value}' (one of {', '.join(sectors.SECTORS)})")
        return value

    @validator("region")
    def _known_region(cls, value: str | None) -> str | None:
        if value is not None and value not in places.REGIONS:
            raise ValueError(f"unknown region '{value}' (one of {', '.join(places.REGIONS)})")
        return value


@dataclass
class Tally:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_files: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        text = f"{name}: {len(self.created)} created, {len(self.updated)} updated, {self.unchanged} unchanged"
        if self.not_in_files:
            text += f", {len(self.not_in_files)} in the store only (left as they are)"
        return text


@dataclass
class LoadReport:
    faq: Tally
    ambassadors: Tally

    def summary(self) -> str:
        return "\n".join([self.faq.line("FAQ entries"), self.ambassadors.line("Ambassadors")])

    @property
    def changed(self) -> bool:
        return bool(self.faq.created or self.faq.updated or self.ambassadors.created or self.ambassadors.updated)


def _read(path: Path, key: str, model: type[BaseModel]) -> list[BaseModel]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot be read: {exc}") from exc
    items = (document or {}).get(key)
    if not isinstance(items, list):
        raise ContentError(f"{path}: expected a list under '{key}'")
    parsed, seen = [], set()
    for position, item in enumerate(items, start=1):
        try:
            entry = model.parse_obj(item)
        except ValidationError as exc:
            ident = item.get("id", f"#{position}") if isinstance(item, dict) else f"#{position}"
            raise ContentError(f"{path}: entry {ident} is not valid:\n{exc}") from exc
        if entry.id in seen:
            raise ContentError(f"{path}: the id '{entry.id}' is used twice")
        seen.add(entry.id)
        parsed.append(entry)
    return parsed


def read_faq(path: Path) -> list[FaqFileEntry]:
    return _read(path, "entries", FaqFileEntry)


def read_ambassadors(path: Path) -> list[AmbassadorFileEntry]:
    return _read(path, "ambassadors", AmbassadorFileEntry)


# Set from the file only when an entry is first loaded: afterwards only staff change them
# (publish and unpublish, retire and reinstate), and a restart must not undo that.
STAFF_ONLY = frozenset({"published", "active"})


def _file_hash(row: dict) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()


def _upsert(db_session: Session, model, rows: list[dict], tally: Tally) -> None:
    """Create what is new; update an entry only where the file changed since it was last
    loaded, so an edit staff made in the console survives a restart until the file itself
    changes that entry."""
    existing = {obj.id: obj for obj in db_session.query(model).all()}
    for row in rows:
        obj = existing.pop(row["id"], None)
        file_hash = _file_hash(row)
        if obj is None:
            db_session.add(model(**row, file_hash=file_hash))
            tally.created.append(row["id"])
            continue
        if obj.file_hash == file_hash:
            tally.unchanged += 1
            continue
        changes = {k: v for k, v in row.items() if k not in STAFF_ONLY and getattr(obj, k) != v}
        for key, value in changes.items():
            setattr(obj, key, value)
        obj.file_hash = file_hash
        if changes:
            tally.updated.append(row["id"])
        else:
            tally.unchanged += 1
    tally.not_in_files = sorted(existing)


def load(*, db_session: Session, content_dir: str | Path | None = None) -> LoadReport:
    folder = Path(content_dir) if content_dir else DEFAULT_CONTENT_DIR
    faq_rows = [
        {
            "id": e.id,
            "topic": e.topic.value,
            "question": e.question,
            "alternatives": list(e.alternatives),
            "answer": e.answer,
            "source_url": str(e.source_url),
            "sources": e.sources(),
            "source_gone": False,
            "last_reviewed": e.last_reviewed,
            "as_of": e.as_of,
            "published": True,
        }
        for e in read_faq(folder / "faq.yml")
    ]
    ambassador_rows = [
        {
            "id": a.id,
            "name": a.name,
            "role": a.role,
            "organisation": a.organisation,
            "sectors": list(a.sectors),
            "region": a.region,
            "location": a.location,
            "expertise": list(a.expertise),
            "availability": a.availability,
            "active": a.active,
            "as_of": a.as_of,
            "source_url": str(a.source_url) if a.source_url else None,
            "summary": a.summary,
        }
        for a in read_ambassadors(folder / "ambassadors.yml")
    ]
    report = LoadReport(faq=Tally(), ambassadors=Tally())
    _upsert(db_session, FaqEntry, faq_rows, report.faq)
    _upsert(db_session, Ambassador, ambassador_rows, report.ambassadors)
    db_session.flush()
    return report
