"""help, alternates, time to survive and recover: leading firms' help offers, the help matched to
SMEs, the break an alternate's proposal was made for, days of stock and expected restart

Adds `help_offer` (a firm's offer of marketing, technology, management, funds or materials help:
capacity in SMEs, reach as region codes), `help_match` (an SME matched to a help offer, accepted
by both sides: the help given) and `match_run.alternate_of` (the key of the break whose alternate
a one-click run proposed; null for the matcher's runs), `need.days_of_stock` and
`link.days_of_stock` (the buyer's days of stock, optional) and `firm.expected_restart` (when a
stopped firm expects to supply again, optional).

Revision ID: 0009_help
Revises: 0007_visibility
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_help'
down_revision = '0007_visibility'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('reach', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_help_offer_firm_id_firm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_offer')),
    sa.UniqueConstraint('ref', name=op.f('uq_help_offer_ref'))
    )
    with op.batch_alter_table('help_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_offer_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_offer_status'), ['status'], unique=False)

    op.create_table('help_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('help_offer_id', sa.Integer(), nullable=False),
    sa.Column('sme_id', sa.Integer(), nullable=False),
    sa.Column('same_chain', sa.Boolean(), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('provider_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sme_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_by', sa.String(length=10), nullable=True),
    sa.Column('given_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['help_offer_id'], ['help_offer.id'], name=op.f('fk_help_match_help_offer_id_help_offer'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sme_id'], ['firm.id'], name=op.f('fk_help_match_sme_id_firm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_match')),
    sa.UniqueConstraint('help_offer_id', 'sme_id', name='uq_help_match_offer_sme')
    )
    with op.batch_alter_table('help_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_match_help_offer_id'), ['help_offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_match_sme_id'), ['sme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_match_status'), ['status'], unique=False)

    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alternate_of', sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f('ix_match_run_alternate_of'), ['alternate_of'], unique=False)
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_of_stock', sa.Integer(), nullable=True))
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_of_stock', sa.Integer(), nullable=True))
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_restart', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_column('expected_restart')
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.drop_column('days_of_stock')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('days_of_stock')
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_run_alternate_of'))
        batch_op.drop_column('alternate_of')
    op.drop_table('help_match')
    op.drop_table('help_offer')
