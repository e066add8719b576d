"""breaks name their products: the products and unit of what is at stake

Adds to `chain_break` the unit of its `quantity` (`unit`: the one unit of the links or needs
behind the break, null when they are counted in different units) and `products` (JSON: what is
at stake product by product, `[{"product": code or null, "unit": ..., "quantity": ...}]`).
Breaks stay per category (the chain's backbone); these columns only name the goods. Stored
reports written before keep null in both (their pages show the category alone).

Adds to `link_request` `product_cleared`: a change that takes the product off a link (the link
then trades by category only); `product_code` null alone means "the product does not change".

Revision ID: 0010_products2
Revises: 0007_visibility
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_products2'
down_revision = '0008_agenda'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chain_break', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('products', sa.JSON(), nullable=True))
    with op.batch_alter_table('link_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_cleared', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('link_request', schema=None) as batch_op:
        batch_op.drop_column('product_cleared')
    with op.batch_alter_table('chain_break', schema=None) as batch_op:
        batch_op.drop_column('products')
        batch_op.drop_column('unit')
