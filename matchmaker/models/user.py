"""Accounts: firm users, task-force staff of a region, admins; API tokens."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base, utcnow
from matchmaker.models.firm import Firm
from matchmaker.models.region import Region
from matchmaker.rules import ROLES  # noqa: F401  (the account vocabulary)


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(10))
    firm_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    region_code: Mapped[Optional[str]] = mapped_column(sa.String(6), sa.ForeignKey("region.code"))
    locale: Mapped[Optional[str]] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Part of every session id (see get_id): raising it signs out every browser of the user at once
    # (sign-out, password change, deactivation), although session cookies are signed client-side.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # notification kinds this user does not want by e-mail (the inbox always has them; issue 13)
    mail_off: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    firm: Mapped[Optional[Firm]] = relationship(lazy="joined")
    region: Mapped[Optional[Region]] = relationship(lazy="joined")

    @property
    def is_active(self):
        return bool(self.active)

    def get_id(self):
        """The id flask-login keeps in the session: "<user id>:<session version>"."""
        return f"{self.id}:{self.session_version or 1}"


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored, so a leaked table leaks no token. It is
    honoured until `expires_at` (TOKEN_LIFETIME after it was issued or last renewed)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[Optional[str]] = mapped_column(sa.String(100))
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")
