"""What is traded, and the product chain: each category's inputs (upstream) and substitutes."""
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base

category_input = sa.Table(
    "category_input",
    Base.metadata,
    sa.Column("category_code", sa.String(32), sa.ForeignKey("category.code", ondelete="CASCADE"), primary_key=True),
    sa.Column("input_code", sa.String(32), sa.ForeignKey("category.code", ondelete="CASCADE"), primary_key=True),
)

category_substitute = sa.Table(
    "category_substitute",
    Base.metadata,
    sa.Column("category_code", sa.String(32), sa.ForeignKey("category.code", ondelete="CASCADE"), primary_key=True),
    sa.Column("substitute_code", sa.String(32), sa.ForeignKey("category.code", ondelete="CASCADE"), primary_key=True),
)


class Category(Base):
    __tablename__ = "category"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[Optional[str]] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(20))
    inputs: Mapped[list["Category"]] = relationship(
        secondary=category_input,
        primaryjoin=lambda: Category.code == category_input.c.category_code,
        secondaryjoin=lambda: Category.code == category_input.c.input_code,
        order_by=lambda: Category.code,
    )
    substitutes: Mapped[list["Category"]] = relationship(
        secondary=category_substitute,
        primaryjoin=lambda: Category.code == category_substitute.c.category_code,
        secondaryjoin=lambda: Category.code == category_substitute.c.substitute_code,
        order_by=lambda: Category.code,
    )

    def __repr__(self):
        return f"<Category {self.code} {self.name}>"
