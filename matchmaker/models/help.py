"""Help offers of leading firms (帮营销、帮技术、帮管理) and the help matched to SMEs that want it."""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base, utcnow
from matchmaker.models.firm import Firm
from matchmaker.rules import HELP_OFFER_KINDS  # noqa: F401  (the help vocabulary)

# proposed: matched, nobody answered; accepted: one side accepted; active: both accepted, the help is
# recorded as given; declined: one side declined (never matched again); lapsed: the offer closed
HELP_MATCH_STATUSES = ("proposed", "accepted", "active", "declined", "lapsed")
OPEN_HELP_MATCH_STATUSES = ("proposed", "accepted")


class HelpOffer(Base):
    """Help a firm offers: its kind, how many SMEs it can take (`capacity`), where (`reach`)."""

    __tablename__ = "help_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    capacity: Mapped[int] = mapped_column(sa.Integer)
    # six-digit region codes (a county, a city or the province) the help reaches
    reach: Mapped[list] = mapped_column(sa.JSON, default=list)
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    firm: Mapped[Firm] = relationship(lazy="joined")


class HelpMatch(Base):
    """Help of a help offer matched to an SME that wants that kind; active once both accepted."""

    __tablename__ = "help_match"
    __table_args__ = (sa.UniqueConstraint("help_offer_id", "sme_id", name="uq_help_match_offer_sme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    help_offer_id: Mapped[int] = mapped_column(sa.ForeignKey("help_offer.id", ondelete="CASCADE"), index=True)
    sme_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    same_chain: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    distance_km: Mapped[Optional[float]] = mapped_column(sa.Float)
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed", index=True)
    provider_accepted_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    sme_accepted_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    declined_by: Mapped[Optional[str]] = mapped_column(sa.String(10))
    given_on: Mapped[Optional[date]] = mapped_column(sa.Date)  # the day the second side accepted
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    help_offer: Mapped[HelpOffer] = relationship(lazy="joined")
    sme: Mapped[Firm] = relationship(lazy="joined")
