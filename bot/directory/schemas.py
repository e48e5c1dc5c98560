from __future__ import annotations

from datetime import date
from typing import List

from pydantic import Field, constr

from bot.api.schemas import ApiModel

ShortText = constr(strip_whitespace=True, min_length=1, max_length=200)


class AmbassadorRead(ApiModel):
    id: str
    name: str
    role: str | None
    organisation: str | None
    sectors: List[str]
    sector_labels: List[str]
    region: str | None
    region_label: str | None
    location: str | None
    expertise: List[str]
    availability: str | None
    summary: str | None
    active: bool
    as_of: date | None = Field(None, description="When the directory's details were last known true.")
    confirmed: bool = Field(
        False, description="Staff confirmed recently that the ambassador still mentors: introductions are offered."
    )
    confirmed_on: date | None = None


class Interpretation(ApiModel):
    sector: str | None = None
    sector_label: str | None = None
    region: str | None = None
    region_label: str | None = None
    name: str | None = None
    unrecognised_region: str | None = None
    unrecognised_sector: str | None = None
    outside_england: str | None = None


class AmbassadorSearchResult(ApiModel):
    interpreted: Interpretation
    # "region" or "sector" when nobody matched both and one condition was dropped.
    relaxed: str | None = None
    # True when the matches share words with the request in their listed experience.
    by_experience: bool = False
    matches: List[AmbassadorRead]
