"""sign-ins and recovery links

Revision ID: 9d2c8108ec97
Revises: b55382b63c35
Create Date: 2026-12-06 00:11:19.135764

Sessions become server-side rows (sign_ins): the cookie now names a row by a random id
whose SHA-256 is stored. Cookies from before this revision name no row, so everyone signs
in once more with their passkey. Passkeys say how they came (added_via, and for a sign-in
link made by a teacher or admin, who made it and which link); passkeys that exist already
are counted as made with the person's own invite, since nothing recorded otherwise.
Sign-in links gain dismissed_at (the person hid the notice) and disowned_at ("This wasn't me").
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d2c8108ec97'
down_revision = 'b55382b63c35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('passkeys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_via', sa.String(length=16), nullable=False, server_default='invite'))
        batch_op.add_column(sa.Column('added_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invite_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_passkeys_added_by_id_users'), 'users', ['added_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_passkeys_invite_id_invites'), 'invites', ['invite_id'], ['id'], ondelete='SET NULL')
    # The default only filled the rows that exist; new passkeys always say how they came.
    with op.batch_alter_table('passkeys', schema=None) as batch_op:
        batch_op.alter_column('added_via', existing_type=sa.String(length=16), server_default=None)

    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('disowned_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('passkey_id', sa.Integer(), nullable=True),
    sa.Column('invite_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('device', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sealed', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['invite_id'], ['invites.id'], name=op.f('fk_sign_ins_invite_id_invites'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['passkey_id'], ['passkeys.id'], name=op.f('fk_sign_ins_passkey_id_passkeys'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_ins_token_hash'))
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_ins_passkey_id'), ['passkey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_ins_user_id'), ['user_id'], unique=False)


def downgrade():
    # Sessions go back to the cookie: every sign-in ends, and people sign in once more.
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_ins_user_id'))
        batch_op.drop_index(batch_op.f('ix_sign_ins_passkey_id'))

    op.drop_table('sign_ins')

    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_column('disowned_at')
        batch_op.drop_column('dismissed_at')

    with op.batch_alter_table('passkeys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_passkeys_invite_id_invites'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_passkeys_added_by_id_users'), type_='foreignkey')
        batch_op.drop_column('invite_id')
        batch_op.drop_column('added_by_id')
        batch_op.drop_column('added_via')
