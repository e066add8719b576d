"""The article-10 ledger on a link (spec/article10.md): the orders the buyer placed, the deliveries
the supplier made (and the buyer confirmed) and the payments the buyer made, each with a ref unique
within its kind. How payments settle deliveries, and what is overdue, is `graphs.commitments`."""
import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base, utcnow
from matchmaker.models.link import Link


class _Entry:
    """What every entry has: a ref, its link, the day it happened, when it was stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    date: Mapped[dt.date] = mapped_column(sa.Date)
    created_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    @property
    def buyer_id(self) -> Optional[int]:
        """The link's buyer (the audit log files an entry under the buyer's county)."""
        return self.link.buyer_id if self.link is not None else None


class Order(_Entry, Base):
    """An order the buyer placed on the link (`quantity` in the link's unit: its product's, else its category's)."""

    __tablename__ = "ledger_order"
    __table_args__ = (sa.Index("ix_ledger_order_link_date", "link_id", "date"),)

    link_id: Mapped[int] = mapped_column(sa.ForeignKey("link.id"))
    quantity: Mapped[float] = mapped_column(sa.Float)

    link: Mapped[Link] = relationship(lazy="joined")


class Delivery(_Entry, Base):
    """A delivery the supplier made on the link: `quantity`, and `amount` CNY owed for it. The buyer
    confirms it received it (`confirmed_at`); settlement counts it either way."""

    __tablename__ = "ledger_delivery"
    __table_args__ = (sa.Index("ix_ledger_delivery_link_date", "link_id", "date"),)

    link_id: Mapped[int] = mapped_column(sa.ForeignKey("link.id"))
    quantity: Mapped[float] = mapped_column(sa.Float)
    amount: Mapped[float] = mapped_column(sa.Float)
    confirmed_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
    confirmed_by: Mapped[Optional[str]] = mapped_column(sa.String(200))

    link: Mapped[Link] = relationship(lazy="joined")


class Payment(_Entry, Base):
    """A payment the buyer made on the link: `amount` CNY, for a named `delivery` of the same link or
    (none named) for the oldest deliveries not yet fully paid."""

    __tablename__ = "ledger_payment"
    __table_args__ = (sa.Index("ix_ledger_payment_link_date", "link_id", "date"),)

    link_id: Mapped[int] = mapped_column(sa.ForeignKey("link.id"))
    amount: Mapped[float] = mapped_column(sa.Float)
    delivery_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("ledger_delivery.id"), index=True)

    link: Mapped[Link] = relationship(lazy="joined")
    delivery: Mapped[Optional[Delivery]] = relationship()
