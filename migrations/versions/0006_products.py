"""products: the product catalogue, and an optional product on needs, offers and links

Adds `product` (code, names in Chinese and English, unit, category, HS subheading, aliases, and
`shipped`: whether the row is still the shipped catalogue's), a
nullable `product_code` on `need`, `offer`, `link` and `link_request`, and `accepts` on `need`
(codes of other products the buyer also takes; existing needs get an empty list). The catalogue
itself is reference data (`matchmaker reference load`), not part of the schema step.

Revision ID: 0006_products
Revises: 0005_ledger
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_products'
down_revision = '0005_ledger'
branch_labels = None
depends_on = None

_POSTINGS = ('need', 'offer', 'link')


def upgrade():
    op.create_table('product',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('category_code', sa.String(length=32), nullable=False),
    sa.Column('hs', sa.String(length=6), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('shipped', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_code'], ['category.code'], name=op.f('fk_product_category_code_category')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_product'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_category_code'), ['category_code'], unique=False)

    for table in _POSTINGS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('product_code', sa.String(length=40), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_product_code'), ['product_code'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_product_code_product'), 'product',
                                        ['product_code'], ['code'])
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepts', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('link_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_code', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_link_request_product_code_product'), 'product',
                                    ['product_code'], ['code'])


def downgrade():
    with op.batch_alter_table('link_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_link_request_product_code_product'), type_='foreignkey')
        batch_op.drop_column('product_code')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('accepts')
    for table in reversed(_POSTINGS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_product_code_product'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_product_code'))
            batch_op.drop_column('product_code')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_category_code'))
    op.drop_table('product')
