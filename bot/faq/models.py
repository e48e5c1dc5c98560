from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Text, false

from bot.database.core import Base, utcnow


class FaqEntry(Base):
    __tablename__ = "faq_entry"

    id = Column(String(120), primary_key=True)
    question = Column(String(300), nullable=False)
    alternatives = Column(JSON, nullable=False, default=list)
    answer = Column(Text, nullable=False)
    topic = Column(String(60), nullable=False, index=True)
    source_url = Column(String(500), nullable=True)
    # Every source the answer rests on, the main one (source_url) first: [{"title", "url"}],
    # with "gone_on" (an ISO date) on one staff reported as gone.
    sources = Column(JSON, nullable=True)
    # A source is reported gone: the entry is due for review until a reviewer has checked it.
    source_gone = Column(Boolean, nullable=False, default=False, server_default=false())
    last_reviewed = Column(Date, nullable=True)
    # For an answer about past figures or arrangements: when its time-bound facts were last
    # known true, "2018" or "2019-10" (shown as "Correct as of October 2019"; the answer
    # must name the year too).
    as_of = Column(String(7), nullable=True)
    published = Column(Boolean, nullable=False, default=True)
    # The content file's version of the entry when it was last loaded (bot/content/loader.py).
    file_hash = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class QuestionLog(Base):
    """Every question the bot searched the FAQ store for, and what it decided.

    The staff console groups the unanswered ones so the team can write new entries.
    """

    __tablename__ = "question_log"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=True, index=True)
    text = Column(Text, nullable=False)
    decision = Column(String(20), nullable=False)
    top_faq_id = Column(String(120), nullable=True)
    top_score = Column(Float, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=True, index=True)
    faq_id = Column(String(120), ForeignKey("faq_entry.id", ondelete="SET NULL"), nullable=True)
    helpful = Column(Boolean, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
