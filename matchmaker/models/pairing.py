"""Matching runs, the pairings (proposals) they make, and pairs a side declined."""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base, utcnow
from matchmaker.models.link import Link
from matchmaker.models.need import Need
from matchmaker.models.offer import Offer

# proposed: made by a run, nobody has answered; accepted: one side accepted, the other not yet;
# active: both accepted, a link exists; declined: one side declined; lapsed: its need or offer
# closed, or a later run replaced it.
PAIRING_STATUSES = ("proposed", "accepted", "declined", "lapsed", "active")
OPEN_PAIRING_STATUSES = ("proposed", "accepted")
SIDES = ("buyer", "supplier")


class MatchRun(Base):
    """One run of the matcher as of a date: its weights, timings and objective."""

    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    weights: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    timings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    objective: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    needs_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    offers_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    candidates_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    pairings_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    started_by: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # the key of the break whose alternate this run proposed (one click on an alternate), else None
    alternate_of: Mapped[Optional[str]] = mapped_column(sa.String(300), index=True)

    def __repr__(self):
        return f"<MatchRun {self.id} as of {self.as_of}>"


class Pairing(Base):
    """A proposal of a run: `quantity` of an offer for a need, answered by buyer and supplier."""

    __tablename__ = "pairing"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("need.id"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"), index=True)
    quantity: Mapped[float] = mapped_column(sa.Float)
    unit_cost: Mapped[float] = mapped_column(sa.Float)
    distance_km: Mapped[Optional[float]] = mapped_column(sa.Float)
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed", index=True)
    buyer_accepted_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    supplier_accepted_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    declined_by: Mapped[Optional[str]] = mapped_column(sa.String(10))
    declined_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    activated_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    lapsed_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    link_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("link.id"), index=True)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    run: Mapped[MatchRun] = relationship()
    need: Mapped[Need] = relationship(lazy="joined")
    offer: Mapped[Offer] = relationship(lazy="joined")
    link: Mapped[Optional[Link]] = relationship()

    def __repr__(self):
        return f"<Pairing {self.id} {self.status}>"


class DeclinedPair(Base):
    """A need/offer pair one side declined: the matcher never proposes it again."""

    __tablename__ = "declined_pair"
    __table_args__ = (sa.UniqueConstraint("need_id", "offer_id", name="uq_declined_pair_need_offer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("need.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    declined_by: Mapped[str] = mapped_column(sa.String(10))
    pairing_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("pairing.id", ondelete="SET NULL"))
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
