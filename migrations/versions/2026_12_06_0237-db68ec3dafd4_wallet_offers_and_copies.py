"""wallet offers and copies: badges sent into the learner's wallet app (OpenID4VCI, VC-API), bound to the wallet's DID

Revision ID: db68ec3dafd4
Revises: ed4732ec79f3
Create Date: 2026-12-06 02:37:04.155799

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'db68ec3dafd4'
down_revision = "ed4732ec79f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wallet_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_token', sa.Text(), nullable=False),
    sa.Column('pre_authorized_code_hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_tx_code', sa.Text(), nullable=True),
    sa.Column('tx_code_failures', sa.Integer(), nullable=False),
    sa.Column('access_token_hash', sa.String(length=64), nullable=True),
    sa.Column('challenge', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=16), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_wallet_offers_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_wallet_offers_learner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_offers')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_wallet_offers_access_token_hash')),
    sa.UniqueConstraint('pre_authorized_code_hash', name=op.f('uq_wallet_offers_pre_authorized_code_hash')),
    sa.UniqueConstraint('public_id', name=op.f('uq_wallet_offers_public_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_wallet_offers_token_hash'))
    )
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_offers_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_offers_learner_id'), ['learner_id'], unique=False)

    op.create_table('wallet_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('holder_did', sa.Text(), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('proof_nonce', sa.String(length=200), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('credential_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_wallet_copies_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['wallet_offers.id'], name=op.f('fk_wallet_copies_offer_id_wallet_offers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_copies')),
    sa.UniqueConstraint('offer_id', name=op.f('uq_wallet_copies_offer_id')),
    sa.UniqueConstraint('proof_nonce', name=op.f('uq_wallet_copies_proof_nonce')),
    sa.UniqueConstraint('public_id', name=op.f('uq_wallet_copies_public_id'))
    )
    with op.batch_alter_table('wallet_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_copies_award_id'), ['award_id'], unique=False)



def downgrade():
    with op.batch_alter_table('wallet_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_copies_award_id'))

    op.drop_table('wallet_copies')
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_offers_learner_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_offers_award_id'))

    op.drop_table('wallet_offers')
