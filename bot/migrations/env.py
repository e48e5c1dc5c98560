from alembic import context

from bot.chat import models as chat_models
from bot.config import get_settings
from bot.console import models as console_models
from bot.database.core import Base, make_engine
from bot.directory import models as directory_models
from bot.faq import models as faq_models
from bot.hotline import models as hotline_models

# Every domain's tables, so the metadata Alembic compares with the database is complete. The
# store (bot/database) knows none of them: the domains sit on it, not the other way round.
DOMAIN_MODELS = (chat_models, console_models, directory_models, faq_models, hotline_models)
target_metadata = Base.metadata


def _url() -> str:
    return context.config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
