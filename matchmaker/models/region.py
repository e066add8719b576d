"""Administrative divisions (GB/T 2260) with their epidemic risk level (article 2)."""
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.models.base import Base
from matchmaker.rules import LEVELS, RISKS  # noqa: F401  (the region vocabulary)


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[str] = mapped_column(sa.String(10), index=True)
    parent_code: Mapped[Optional[str]] = mapped_column(
        sa.String(6), sa.ForeignKey("region.code"), index=True
    )
    lat: Mapped[Optional[float]] = mapped_column(sa.Float)
    lon: Mapped[Optional[float]] = mapped_column(sa.Float)
    approx_location: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    risk: Mapped[str] = mapped_column(sa.String(10), default="low")

    def __repr__(self):
        return f"<Region {self.code} {self.name}>"

    @property
    def prefix(self) -> str:
        """Code prefix shared by this region and every region under it."""
        return region_prefix(self.code, self.level)


def region_prefix(code: str, level: str) -> str:
    """The leading digits of a six-digit code that all regions under it share."""
    return {"province": code[:2], "city": code[:4]}.get(level, code)
