"""Firms: leading enterprises (龙头企业) and SMEs (中小企业), with their resumption status (article 13)."""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from graphs import firm_is_live
from matchmaker.models.base import Base
from matchmaker.models.region import Region
from matchmaker.rules import FACTORS, KINDS, REPORTABLE_BLOCKERS  # noqa: F401  (the firm vocabulary)


class Firm(Base):
    __tablename__ = "firm"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10), index=True)
    region_code: Mapped[str] = mapped_column(sa.String(6), sa.ForeignKey("region.code"), index=True)
    industry: Mapped[Optional[str]] = mapped_column(sa.String(10))
    park: Mapped[Optional[str]] = mapped_column(sa.String(200))
    credit_code: Mapped[Optional[str]] = mapped_column(sa.String(18), unique=True)
    operating: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    capacity_utilization: Mapped[Optional[float]] = mapped_column(sa.Float)
    workers_back: Mapped[Optional[float]] = mapped_column(sa.Float)
    headcount: Mapped[Optional[int]] = mapped_column(sa.Integer)  # workforce size: weights monitoring
    blockers: Mapped[list] = mapped_column(sa.JSON, default=list)
    contact_email: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # set when task-force staff entered the status (after a phone call); cleared when the firm reports it
    status_by: Mapped[Optional[str]] = mapped_column(sa.String(200))  # the staff member's name (email)
    status_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    # when a stopped (or blocked) firm expects to supply again (time to recover), if it said
    expected_restart: Mapped[Optional[date]] = mapped_column(sa.Date)
    # who to call (issue 13): shown only to linked firms and the task force of the firm's region
    # (services.firms.contact_of); not a data-package field (spec/data-package.md lists the fields)
    contact_person: Mapped[Optional[str]] = mapped_column(sa.String(100))
    contact_phone: Mapped[Optional[str]] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    region: Mapped[Region] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self):
        return f"<Firm {self.ref} {self.name}>"

    @property
    def live(self) -> bool:
        """Operating, and its county is not high-risk (the graph library's rule, graphs.firm_is_live)."""
        return firm_is_live(self.operating, self.region.risk)
