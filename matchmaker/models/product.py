"""Products: what is actually traded inside a category (raw milk, not "livestock products").

The shipped catalogue (`matchmaker/data/products.csv`) and the products a data package adds or
corrects (upsert by `code`). A need, an offer or a link may name a product; a posting's quantity is
then in the product's unit (`matchmaker.rules.posting_unit`), and the matcher pairs products as
`spec/products.md` says.
"""
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base
from matchmaker.models.category import Category


class Product(Base):
    __tablename__ = "product"

    # a stable code: the service's own for the shipped catalogue (P003001), any text of 1 to 40
    # characters without spaces for the products a package adds
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(20))
    category_code: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("category.code"), index=True)
    # the HS six-digit subheading it falls under; None for services
    hs: Mapped[Optional[str]] = mapped_column(sa.String(6))
    aliases: Mapped[list] = mapped_column(sa.JSON, default=list)
    # True while the row is the shipped catalogue's record, which reference loads keep up to date;
    # a product a package added or changed is the package's, and reference loads leave it alone
    shipped: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    category: Mapped[Category] = relationship(lazy="joined")

    def __repr__(self):
        return f"<Product {self.code} {self.name_zh}>"
