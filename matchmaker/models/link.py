"""Links: supply relationships that exist (imported, or made from an accepted pairing)."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base, utcnow
from matchmaker.models.firm import Firm


class Link(Base):
    __tablename__ = "link"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id"), index=True)
    category_code: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("category.code"), index=True)
    quantity_per_week: Mapped[float] = mapped_column(sa.Float)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # The buyer's article-10 terms, for links made from a pairing.
    terms: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    supplier: Mapped[Firm] = relationship(foreign_keys=[supplier_id], lazy="joined")
    buyer: Mapped[Firm] = relationship(foreign_keys=[buyer_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}
