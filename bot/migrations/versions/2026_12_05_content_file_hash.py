"""content file hash

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('faq_entry', 'ambassador'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('file_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in ('faq_entry', 'ambassador'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('file_hash')
