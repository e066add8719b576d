"""The history of a county's risk level (article 2): who set which level, effective from when.

``Region.risk`` stays the level in force today; the weekly report of a past week uses the level
in force on that report's ``as_of`` (``services.risk_zones``).
"""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.models.base import Base, utcnow


class RegionRisk(Base):
    """One change of a region's risk level, effective from a date (a staff decision or an import)."""

    __tablename__ = "region_risk"
    __table_args__ = (sa.Index("ix_region_risk_region_from", "region_code", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.String(6), sa.ForeignKey("region.code"))
    risk: Mapped[str] = mapped_column(sa.String(10))
    effective_from: Mapped[date] = mapped_column(sa.Date)
    set_by: Mapped[Optional[str]] = mapped_column(sa.String(200))  # the user's e-mail, or "import"/"baseline"
    set_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)

    def __repr__(self):
        return f"<RegionRisk {self.region_code} {self.risk} from {self.effective_from}>"
