"""message client id and reply pairing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_message_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reply_to_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_message_reply_to_id_message', 'message', ['reply_to_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_index('ix_message_reply_to_id', ['reply_to_id'], unique=False)
        batch_op.create_index(
            'ix_message_client_message_id', ['conversation_id', 'client_message_id'], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_client_message_id')
        batch_op.drop_index('ix_message_reply_to_id')
        batch_op.drop_constraint('fk_message_reply_to_id_message', type_='foreignkey')
        batch_op.drop_column('reply_to_id')
        batch_op.drop_column('client_message_id')
