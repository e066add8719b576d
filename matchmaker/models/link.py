"""Links: supply relationships that exist (imported, made from an accepted pairing, or confirmed by
both sides), and the requests one firm makes for the other side to confirm."""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.infra import clock
from matchmaker.models.base import Base, utcnow
from matchmaker.models.category import Category
from matchmaker.models.firm import Firm
from matchmaker.models.product import Product
from matchmaker.rules import posting_unit


class Link(Base):
    __tablename__ = "link"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    category_code: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("category.code"), index=True)
    # the product supplied (its category is the link's), or None
    product_code: Mapped[Optional[str]] = mapped_column(sa.String(40), sa.ForeignKey("product.code"), index=True)
    quantity_per_week: Mapped[float] = mapped_column(sa.Float)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # The article-10 terms (a pairing's link takes its need's) and the day the link started
    # (a pairing's: the day the second side accepted; an import's: given, else the day of the import).
    terms: Mapped[list] = mapped_column(sa.JSON, default=list)
    since: Mapped[date] = mapped_column(sa.Date, default=clock.today)
    # the buyer's days of stock of what this link supplies (time to survive), if it said
    days_of_stock: Mapped[Optional[int]] = mapped_column(sa.Integer)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    supplier: Mapped[Firm] = relationship(foreign_keys=[supplier_id], lazy="joined")
    buyer: Mapped[Firm] = relationship(foreign_keys=[buyer_id], lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    product: Mapped[Optional[Product]] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def unit(self) -> str:
        """The unit of quantity_per_week: its product's, else its category's."""
        return posting_unit(self.product.unit if self.product is not None else None, self.category.unit)


# awaiting_confirmation: the other side has not answered; confirmed: it confirmed (the link exists,
# or the change is made); declined: it said no; withdrawn: the asking side took it back;
# superseded: a later change to the link (or a later request for it) replaced it.
LINK_REQUEST_STATUSES = ("awaiting_confirmation", "confirmed", "declined", "withdrawn", "superseded")
LINK_REQUEST_KINDS = ("new", "change")


class LinkRequest(Base):
    """A link one firm asks the other side to confirm: a new link, or a change to an existing one.

    It is not a link: the chain map, breaks, reports and matching read links only, so nothing one
    firm declares about another takes effect until that firm confirms it. The other side is named
    by the ref the asking firm gave (`awaiting_ref`), resolved only when a firm with that ref
    answers, so asking reveals nothing about whether such a firm exists.
    """

    __tablename__ = "link_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    # the firm that asks (the request's owner; its region is the audit entry's region)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    awaiting_ref: Mapped[str] = mapped_column(sa.String(64), index=True)
    supplier_ref: Mapped[str] = mapped_column(sa.String(64))
    buyer_ref: Mapped[str] = mapped_column(sa.String(64))
    # the link to change; for a new link, the link made when it was confirmed
    link_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("link.id"), index=True)
    # the link's version a change was asked against: a link changed since cannot take it
    link_version: Mapped[Optional[int]] = mapped_column(sa.Integer)
    # the fields asked for (for a change, only those that change; the others are null)
    category_code: Mapped[Optional[str]] = mapped_column(sa.String(32), sa.ForeignKey("category.code"))
    product_code: Mapped[Optional[str]] = mapped_column(sa.String(40), sa.ForeignKey("product.code"))
    # a change that takes the product off the link (product_code null alone: the product stays)
    product_cleared: Mapped[Optional[bool]] = mapped_column(sa.Boolean)
    quantity_per_week: Mapped[Optional[float]] = mapped_column(sa.Float)
    terms: Mapped[Optional[list]] = mapped_column(sa.JSON)
    active: Mapped[Optional[bool]] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(24), default="awaiting_confirmation", index=True)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    firm: Mapped[Firm] = relationship(lazy="joined")
    link: Mapped[Optional[Link]] = relationship()
    category: Mapped[Optional[Category]] = relationship()
    product: Mapped[Optional[Product]] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def unit(self) -> Optional[str]:
        """The unit of quantity_per_week: the product's, else the category's (of the link, for a
        change that names neither)."""
        if self.product is None and self.category is None:
            if self.product_cleared and self.link is not None:  # by category only from now on
                return self.link.category.unit
            return self.link.unit if self.link is not None else None
        return posting_unit(self.product.unit if self.product is not None else None,
                            self.category.unit if self.category is not None else self.link.category.unit)

    @property
    def requested_by(self):
        """Ref of the firm that asks."""
        return self.firm.ref
