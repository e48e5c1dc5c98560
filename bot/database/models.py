"""Imports every model so the metadata is complete (for Alembic and tests)."""

from bot.chat.models import Conversation, Message  # noqa: F401
from bot.console.models import ContentEvent, StaffSession  # noqa: F401
from bot.database.core import Base  # noqa: F401
from bot.directory.models import Ambassador  # noqa: F401
from bot.faq.models import AnswerFeedback, FaqEntry, QuestionLog  # noqa: F401
from bot.hotline.models import StaffAccount, Ticket, TicketEvent, TicketNote  # noqa: F401
