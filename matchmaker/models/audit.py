"""Audit log: every write, who made it, when, and the record before and after."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.models.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.Integer)
    actor: Mapped[Optional[str]] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(20))
    entity: Mapped[str] = mapped_column(sa.String(40), index=True)
    entity_id: Mapped[Optional[str]] = mapped_column(sa.String(64))
    region_code: Mapped[Optional[str]] = mapped_column(sa.String(6), index=True)
    before: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    after: Mapped[Optional[dict]] = mapped_column(sa.JSON)
