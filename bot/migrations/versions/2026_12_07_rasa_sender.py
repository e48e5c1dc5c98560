"""rasa sender

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 19:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rasa_sender', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_conversation_rasa_sender'), ['rasa_sender'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_rasa_sender'))
        batch_op.drop_column('rasa_sender')
