"""Needs: what a firm (usually a leading firm) needs, with the article-10 terms it offers."""
from datetime import date
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base
from matchmaker.models.firm import Firm
from matchmaker.rules import STATUSES, TERMS  # noqa: F401  (the posting vocabulary)


class Need(Base):
    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    category_code: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("category.code"), index=True)
    quantity: Mapped[float] = mapped_column(sa.Float)
    needed_by: Mapped[date] = mapped_column(sa.Date)
    max_unit_price: Mapped[Optional[float]] = mapped_column(sa.Float)
    terms: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    # Quantity already committed by accepted pairings.
    committed_quantity: Mapped[float] = mapped_column(sa.Float, default=0.0)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    firm: Mapped[Firm] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def open_quantity(self) -> float:
        """What remains after accepted pairings."""
        return max(0.0, self.quantity - (self.committed_quantity or 0.0))
