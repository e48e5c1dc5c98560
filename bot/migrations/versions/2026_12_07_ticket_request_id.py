"""ticket request id

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_ticket_request_id'), ['request_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_request_id'))
        batch_op.drop_column('request_id')
