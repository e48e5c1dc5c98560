from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String

from bot.database.core import Base, utcnow


class StaffSession(Base):
    """A signed-in staff member's session. The cookie holds a random token; only its hash
    is stored, so a copy of the database cannot be used to sign in."""

    __tablename__ = "staff_session"

    id = Column(String(64), primary_key=True)  # sha256 of the cookie's token
    staff_id = Column(Integer, ForeignKey("staff_account.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


class ContentEvent(Base):
    """The audit trail of changes to the FAQ store and the ambassador directory."""

    __tablename__ = "content_event"

    id = Column(Integer, primary_key=True)
    kind = Column(String(40), nullable=False)
    entity_id = Column(String(120), nullable=False, index=True)
    actor = Column(String(120), nullable=False)
    detail = Column(JSON, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
