"""Needs: what a firm (usually a leading firm) needs, with the article-10 terms it offers."""
from datetime import date
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base
from matchmaker.models.category import Category
from matchmaker.models.firm import Firm
from matchmaker.models.product import Product
from matchmaker.rules import STATUSES, TERMS, posting_unit  # noqa: F401  (the posting vocabulary)


class Need(Base):
    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    category_code: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("category.code"), index=True)
    # the product asked for (its category is the need's), or None: any goods of the category
    product_code: Mapped[Optional[str]] = mapped_column(sa.String(40), sa.ForeignKey("product.code"), index=True)
    # codes of other products the buyer also takes
    accepts: Mapped[list] = mapped_column(sa.JSON, default=list)
    quantity: Mapped[float] = mapped_column(sa.Float)
    needed_by: Mapped[date] = mapped_column(sa.Date)
    max_unit_price: Mapped[Optional[float]] = mapped_column(sa.Float)
    # the buyer's days of stock of these goods (time to survive), if it said
    days_of_stock: Mapped[Optional[int]] = mapped_column(sa.Integer)
    terms: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    # Quantity already committed by accepted pairings.
    committed_quantity: Mapped[float] = mapped_column(sa.Float, default=0.0)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    firm: Mapped[Firm] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    product: Mapped[Optional[Product]] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def open_quantity(self) -> float:
        """What remains after accepted pairings."""
        return max(0.0, self.quantity - (self.committed_quantity or 0.0))

    @property
    def unit(self) -> str:
        """The unit of its quantities: its product's, else its category's."""
        return posting_unit(self.product.unit if self.product is not None else None, self.category.unit)
