from sqlalchemy import JSON, Boolean, Column, Date, DateTime, String, Text

from bot.database.core import Base, utcnow


class Ambassador(Base):
    __tablename__ = "ambassador"

    id = Column(String(120), primary_key=True)
    name = Column(String(200), nullable=False)
    role = Column(String(200), nullable=True)
    organisation = Column(String(200), nullable=True)
    sectors = Column(JSON, nullable=False, default=list)
    region = Column(String(60), nullable=True, index=True)
    location = Column(String(120), nullable=True)
    expertise = Column(JSON, nullable=False, default=list)
    availability = Column(String(300), nullable=True)
    summary = Column(Text, nullable=True)
    source_url = Column(String(500), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    # When the directory's details were last known true (the source's date): shown with them.
    as_of = Column(Date, nullable=True)
    # Staff only: when a person last confirmed the ambassador still mentors, and who. The
    # bot offers an introduction only to an ambassador confirmed within
    # AMBASSADOR_CONFIRMATION_MONTHS.
    confirmed_on = Column(Date, nullable=True)
    confirmed_by = Column(String(200), nullable=True)
    # The content file's version of the entry when it was last loaded (bot/content/loader.py).
    file_hash = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
