from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.orm import Session

from bot.api.deps import get_db
from bot.directory import service as directory_service
from bot.hotline import service as hotline_service
from bot.hotline.enums import TicketStatus
from bot.hotline.schemas import TicketCreate, TicketCreated

router = APIRouter(prefix="/tickets", tags=["hotline"])


@router.post("", response_model=TicketCreated, status_code=status.HTTP_201_CREATED)
def create_ticket(ticket_in: TicketCreate, db_session: Session = Depends(get_db)) -> TicketCreated:
    """Hand a conversation to the hotline team."""
    try:
        ticket = hotline_service.create(db_session=db_session, ticket_in=ticket_in)
    except directory_service.AmbassadorNotFound:
        raise HTTPException(422, f"No ambassador has the id '{ticket_in.ambassador_id}'.")
    return TicketCreated(reference=ticket.reference, status=TicketStatus(ticket.status), created_at=ticket.created_at)


@router.get("/{reference}", response_model=TicketCreated)
def get_ticket(reference: str, db_session: Session = Depends(get_db)) -> TicketCreated:
    ticket = hotline_service.get_by_reference(db_session=db_session, reference=reference)
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No ticket has the reference '{reference}'.")
    return TicketCreated(reference=ticket.reference, status=TicketStatus(ticket.status), created_at=ticket.created_at)
