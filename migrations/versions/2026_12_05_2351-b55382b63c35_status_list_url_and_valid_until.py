"""status list url and valid until

Revision ID: b55382b63c35
Revises: df91c7d17ebf
Create Date: 2026-12-05 23:51:02.986795

A status list's URL is now stored when the list is made. Existing lists keep the URL
their signed copy (and so every credential on them) already names; their valid_until
stays empty, so the next refresh re-signs them with a validUntil.
"""
import json

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = 'b55382b63c35'
down_revision = 'df91c7d17ebf'
branch_labels = None
depends_on = None

status_lists = sa.table(
    'status_lists',
    sa.column('id', sa.Integer),
    sa.column('public_id', sa.String),
    sa.column('url', sa.String),
    sa.column('credential_json', sa.Text),
)
awards = sa.table(
    'awards',
    sa.column('status_list_id', sa.Integer),
    sa.column('credential_json', sa.Text),
)


def _named_url(credential_json, key):
    """Read a URL out of stored credential JSON: the list's own id, or an award's status entry."""
    try:
        document = json.loads(credential_json or 'null')
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    if key == 'id':
        found = document.get('id')
    else:
        entries = document.get('credentialStatus')
        entries = entries if isinstance(entries, list) else [entries]
        found = next((e.get(key) for e in entries if isinstance(e, dict) and e.get(key)), None)
    return found if isinstance(found, str) and found else None


def _list_url(connection, row):
    """The URL the list was signed with; else the one its awards name; else the configured origin."""
    url = _named_url(row.credential_json, 'id')
    if url is None:
        award_json = connection.scalar(
            sa.select(awards.c.credential_json).where(awards.c.status_list_id == row.id).limit(1)
        )
        url = _named_url(award_json, 'statusListCredential')
    # A list no copy or credential names yet: nobody points at it, so the origin now is right.
    return url or f"{current_app.config['BACKPACK_ORIGIN']}/status/{row.public_id}"


def upgrade():
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_status_lists_valid_until'), ['valid_until'], unique=False)

    connection = op.get_bind()
    rows = connection.execute(
        sa.select(status_lists.c.id, status_lists.c.public_id, status_lists.c.credential_json)
    ).all()
    for row in rows:
        connection.execute(
            status_lists.update().where(status_lists.c.id == row.id).values(url=_list_url(connection, row))
        )

    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.alter_column('url', existing_type=sa.String(length=500), nullable=False)


def downgrade():
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_lists_valid_until'))
        batch_op.drop_column('valid_until')
        batch_op.drop_column('url')
