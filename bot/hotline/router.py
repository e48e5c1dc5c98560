from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.api.deps import get_db, get_settings_dep
from bot.api.schemas import problems
from bot.config import Settings
from bot.directory import service as directory_service
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketStatus
from bot.hotline.office_hours import OfficeHours
from bot.hotline.schemas import TicketCreate, TicketCreated

router = APIRouter(prefix="/tickets", tags=["hotline"])


@router.post("", response_model=TicketCreated, status_code=status.HTTP_201_CREATED, responses=problems(400, 413, 422))
def create_ticket(
    ticket_in: TicketCreate, db_session: Session = Depends(get_db), settings: Settings = Depends(get_settings_dep)
) -> TicketCreated:
    """Hand a conversation to the hotline team. The answer says whether the team is
    working now, so the bot can tell the visitor when to expect a reply."""
    try:
        ticket = hotline_service.create(db_session=db_session, ticket_in=ticket_in)
    except directory_service.AmbassadorNotFound:
        raise HTTPException(422, f"No ambassador has the id '{ticket_in.ambassador_id}'.")
    except IntegrityError:
        # The same request_id arrived twice at once: the first made the ticket.
        db_session.rollback()
        ticket = ticket_in.request_id and hotline_service.by_request_id(
            db_session=db_session, request_id=ticket_in.request_id
        )
        if not ticket:
            raise
    hours = OfficeHours.parse(settings.office_hours, settings.office_timezone)
    return TicketCreated(
        reference=ticket.reference,
        status=TicketStatus(ticket.status),
        created_at=ticket.created_at,
        office_open=hours.is_open(),
        next_opening=hours.describe_next_opening(),
    )


@router.get("/{reference}", response_model=TicketCreated, responses=problems(404, 422))
def get_ticket(reference: str, db_session: Session = Depends(get_db)) -> TicketCreated:
    ticket = hotline_service.get_by_reference(db_session=db_session, reference=reference)
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No ticket has the reference '{reference}'.")
    return TicketCreated(reference=ticket.reference, status=TicketStatus(ticket.status), created_at=ticket.created_at)
