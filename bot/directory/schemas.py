from __future__ import annotations

from typing import List, Optional

from pydantic import BaseModel, constr

ShortText = constr(strip_whitespace=True, min_length=1, max_length=200)


class AmbassadorRead(BaseModel):
    id: str
    name: str
    role: Optional[str]
    organisation: Optional[str]
    sectors: List[str]
    sector_labels: List[str]
    region: Optional[str]
    region_label: Optional[str]
    location: Optional[str]
    expertise: List[str]
    availability: Optional[str]
    summary: Optional[str]
    active: bool


class Interpretation(BaseModel):
    sector: Optional[str] = None
    sector_label: Optional[str] = None
    region: Optional[str] = None
    region_label: Optional[str] = None
    name: Optional[str] = None
    unrecognised_region: Optional[str] = None
    unrecognised_sector: Optional[str] = None


class AmbassadorSearchResult(BaseModel):
    interpreted: Interpretation
    # "region" or "sector" when nobody matched both and one condition was dropped.
    relaxed: Optional[str] = None
    matches: List[AmbassadorRead]
