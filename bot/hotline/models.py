from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.database.core import Base, utcnow
from bot.hotline.enums import TicketPriority, TicketStatus


class StaffAccount(Base):
    __tablename__ = "staff_account"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False)
    password_hash = Column(String(300), nullable=False)
    role = Column(String(20), nullable=False, default="agent")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Ticket(Base):
    """A handoff to the hotline team."""

    __tablename__ = "ticket"

    id = Column(Integer, primary_key=True)
    reference = Column(String(20), nullable=True, unique=True)
    # The caller's key for one handoff (the action's form run): a repeat of the request
    # (a retry after a timeout) finds this ticket instead of making a second.
    request_id = Column(String(100), nullable=True, unique=True, index=True)
    conversation_id = Column(String(64), ForeignKey("conversation.id", ondelete="SET NULL"), nullable=True, index=True)
    reason = Column(String(40), nullable=False)
    category = Column(String(60), nullable=True)
    priority = Column(String(10), nullable=False, default=TicketPriority.normal.value)
    status = Column(String(20), nullable=False, default=TicketStatus.waiting.value, index=True)

    contact_name = Column(String(120), nullable=True)
    contact_method = Column(String(10), nullable=True)
    contact_email = Column(String(254), nullable=True)
    contact_phone = Column(String(40), nullable=True)
    description = Column(Text, nullable=True)
    consent = Column(Boolean, nullable=False, default=False)
    ambassador_id = Column(String(120), ForeignKey("ambassador.id", ondelete="SET NULL"), nullable=True)

    assignee_id = Column(Integer, ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True)
    outcome = Column(String(40), nullable=True)
    callback_due_at = Column(DateTime, nullable=True)

    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    first_response_at = Column(DateTime, nullable=True)
    resolved_at = Column(DateTime, nullable=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Every change to a ticket is written `UPDATE ... WHERE version = :read`: of two people
    # changing one ticket at once, the second finds it changed (StaleDataError) and is told
    # so, on SQLite and PostgreSQL alike (docs/decisions/0014-exactly-once.md).
    version = Column(Integer, nullable=False, default=1, server_default="1")

    events = relationship("TicketEvent", back_populates="ticket", order_by="TicketEvent.id")
    notes = relationship("TicketNote", back_populates="ticket", order_by="TicketNote.id")

    __mapper_args__ = {"version_id_col": version}


class TicketEvent(Base):
    """The audit trail: one row for every change to a ticket."""

    __tablename__ = "ticket_event"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(30), nullable=False)
    actor = Column(String(120), nullable=False)
    from_status = Column(String(20), nullable=True)
    to_status = Column(String(20), nullable=True)
    detail = Column(JSON, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    ticket = relationship("Ticket", back_populates="events")


class TicketNote(Base):
    __tablename__ = "ticket_note"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id = Column(Integer, ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    ticket = relationship("Ticket", back_populates="notes")
