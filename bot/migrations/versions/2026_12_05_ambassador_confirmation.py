"""as-of dates for time-bound content; sources reported gone; ambassador confirmation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ambassador', schema=None) as batch_op:
        batch_op.add_column(sa.Column('as_of', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by', sa.String(length=200), nullable=True))
    with op.batch_alter_table('faq_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('as_of', sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column('source_gone', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('faq_entry', schema=None) as batch_op:
        batch_op.drop_column('source_gone')
        batch_op.drop_column('as_of')
    with op.batch_alter_table('ambassador', schema=None) as batch_op:
        batch_op.drop_column('confirmed_by')
        batch_op.drop_column('confirmed_on')
        batch_op.drop_column('as_of')
