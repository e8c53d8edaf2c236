"""invite language: the language an invite page opens in, chosen by the teacher or admin who made it

Revision ID: ed4732ec79f3
Revises: 4ca3cefb228d
Create Date: 2026-12-06 02:36:22.866308

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ed4732ec79f3'
down_revision = '4ca3cefb228d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_column('language')
