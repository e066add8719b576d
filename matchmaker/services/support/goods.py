"""What a need, an offer or a link trades: its category and its product, checked against the catalogue.

`spec/products.md`: a posting or link may name a product; when it does, the category may be left
empty and is the product's, and a category given as well must agree (else an error on
``category``). A need's ``accepts`` names other products the buyer also takes; each must exist.
:func:`resolve_goods` settles ``category`` (and checks ``product`` and ``accepts``) in the data a
service is about to write, so the services of needs, offers and links state this once.
"""
from typing import Optional

from matchmaker.errors import Message
from matchmaker.infra.extensions import db
from matchmaker.models import Link, Need, Offer, Product
from matchmaker.rules import MAX_PRODUCT_CODE, category_disagrees, is_storable_text
from matchmaker.services.support.common import category_or_error

__all__ = ["product_or_error", "resolve_goods"]


def product_or_error(code: str | None, errors: dict, field: str = "product") -> Optional[Product]:
    """The product with this code, or None with a message added to `errors`."""
    row = db.session.get(Product, code) if code and is_storable_text(code, MAX_PRODUCT_CODE) else None
    if row is None:
        errors.setdefault(field, []).append(Message("unknown product %(code)s", code=f"{code!s:.40}"))
    return row


def resolve_goods(data: dict, errors: dict, row: Need | Offer | Link | None = None) -> None:
    """Check the category, product (and a need's accepts) of a record being written; fill in
    ``category`` from the product when it is left empty.

    `row` is the stored record when changing one (None when creating): what `data` leaves out
    keeps its stored value. Messages go to ``errors`` under the field at fault.
    """
    creating = row is None
    if "accepts" in data and not errors.get("accepts"):
        for code in data.get("accepts") or ():
            product_or_error(code, errors, "accepts")
    touched = creating or "product" in data or "category" in data
    if not touched or errors.get("product") or errors.get("category"):
        return
    code = data["product"] if "product" in data else (row.product_code if row is not None else None)
    product = product_or_error(code, errors) if code not in (None, "") else None
    if code not in (None, "") and product is None:
        return
    if "product" in data and data["product"] == "":
        data["product"] = None
    category = data.get("category")
    if product is None:
        if category in (None, ""):
            if creating or "category" in data:
                errors.setdefault("category", []).append("required (or a product)")
            return
        category_or_error(category, errors)
        return
    if category in (None, ""):
        if creating or "category" in data or "product" in data:
            data["category"] = product.category_code
        return
    if category_disagrees(category, product.category_code):
        errors.setdefault("category", []).append(
            f"{category} is not the category of product {product.code} ({product.category_code})")
