from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.database.core import Base, utcnow


class Conversation(Base):
    __tablename__ = "conversation"

    # Server-issued and unguessable; the widget holds it (with its token).
    id = Column(String(64), primary_key=True)
    # The sender id Rasa knows this conversation by: an HMAC of the id under RASA_TOKEN
    # (bot/chat/service.py: rasa_sender), set on the first turn sent to Rasa. The internal
    # API links a ticket to a conversation only through it, so knowing the public id is
    # not enough to reach a visitor's conversation through Rasa or the action server.
    rasa_sender = Column(String(64), nullable=True, unique=True, index=True)
    token_hash = Column(String(128), nullable=True)
    channel = Column(String(30), nullable=False, default="rest")
    # While the conversation is with the hotline team, user messages go to the ticket.
    bot_paused = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_activity_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    # When the visitor's widget last had its event stream open: "still on the page".
    visitor_seen_at = Column(DateTime, nullable=True)
    # When its transcript and contact details were removed (retention or erasure); the row
    # and its dates stay for the statistics.
    purged_at = Column(DateTime, nullable=True)

    # Never loaded with the conversation (every gateway request loads the conversation, and
    # a long transcript made each turn slower): ask for the messages a request needs.
    messages = relationship(
        "Message", back_populates="conversation", order_by="Message.id", lazy="select", passive_deletes=True
    )


class Message(Base):
    __tablename__ = "message"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False, index=True)
    sender = Column(String(10), nullable=False)
    text = Column(Text, nullable=False, default="")
    # Buttons, links and other structured parts of a bot message.
    data = Column(JSON, nullable=True)
    staff_id = Column(Integer, ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    # The widget's id for a visitor's message, the same on every retry of one send: a
    # repeat is answered from the store, never stored or sent to Rasa again.
    client_message_id = Column(String(64), nullable=True)
    # The visitor's message a bot reply answers, so replies stay paired with their
    # question when several are sent at once.
    reply_to_id = Column(Integer, ForeignKey("message.id", ondelete="SET NULL"), nullable=True, index=True)

    conversation = relationship("Conversation", back_populates="messages")

    __table_args__ = (Index("ix_message_client_message_id", "conversation_id", "client_message_id", unique=True),)
