from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy.orm import Session

from bot.api.deps import get_db, get_settings_dep
from bot.api.schemas import problems
from bot.config import Settings
from bot.directory import places, sectors
from bot.directory import service as directory_service
from bot.directory.schemas import AmbassadorRead, AmbassadorSearchResult, Interpretation

router = APIRouter(prefix="/ambassadors", tags=["directory"])


@router.get("", response_model=AmbassadorSearchResult, responses=problems(422))
def search_ambassadors(
    sector: str | None = Query(None, max_length=100, description="A sector, in any words"),
    region: str | None = Query(None, max_length=100, description="An English region, county or town"),
    name: str | None = Query(None, max_length=100),
    q: str | None = Query(
        None, max_length=500, description="The visitor's message, for anything the bot did not pick out"
    ),
    db_session: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> AmbassadorSearchResult:
    """Find active Mutuals Ambassadors by sector, region or name."""
    outcome = directory_service.search(db_session=db_session, sector=sector, region=region, name=name, text=q)
    query = outcome.query
    return AmbassadorSearchResult(
        interpreted=Interpretation(
            sector=query.sector,
            sector_label=sectors.SECTORS.get(query.sector) if query.sector else None,
            region=query.region,
            region_label=places.REGIONS.get(query.region) if query.region else None,
            name=query.name,
            unrecognised_region=query.unrecognised_region,
            unrecognised_sector=query.unrecognised_sector,
            outside_england=query.outside_england,
        ),
        relaxed=outcome.relaxed,
        by_experience=outcome.by_experience,
        matches=[_read(a, settings) for a in outcome.matches],
    )


@router.get("/{ambassador_id}", response_model=AmbassadorRead, responses=problems(404, 422))
def get_ambassador(
    ambassador_id: str, db_session: Session = Depends(get_db), settings: Settings = Depends(get_settings_dep)
) -> AmbassadorRead:
    ambassador = directory_service.get(db_session=db_session, ambassador_id=ambassador_id)
    if ambassador is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No ambassador has the id '{ambassador_id}'.")
    return _read(ambassador, settings)


def _read(ambassador, settings: Settings) -> AmbassadorRead:
    return AmbassadorRead(
        **directory_service.to_read(ambassador, confirmation_months=settings.ambassador_confirmation_months)
    )
