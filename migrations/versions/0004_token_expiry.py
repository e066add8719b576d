"""token expiry: every API token is honoured until expires_at (TOKEN_LIFETIME after it was issued
or renewed; issue 14). Tokens issued before get 30 days from the upgrade.

Revision ID: 0004_token_expiry
Revises: 0003_link_confirmation

"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_token_expiry'
down_revision = '0003_link_confirmation'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    token = sa.table('api_token', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(token.update().values(expires_at=datetime.now(timezone.utc) + timedelta(days=30)))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
