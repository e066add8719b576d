"""The product rules of a data package (`spec/products.md`), phrased for spreadsheet users.

- **products**: the category exists (in the package or stored); ``hs`` is a six-digit subheading
  of the shipped HS list (`matchmaker/data/hs_subheadings.csv`) or empty; aliases are short texts.
- **needs, offers, links**: ``product`` names a product of the package or a stored one (else an
  error on ``product``); when it is given, ``category`` may be empty and becomes the product's
  (filled into the record), and a category given as well must be the product's (else an error on
  that row's ``category``); with no product, ``category`` is required. A need's ``accepts`` must
  name known products (else an error on ``accepts``).

:func:`check_goods` adds a `Problem` per mistake and completes the records in place.
"""
from functools import lru_cache

from matchmaker.infra.reference import load_hs_subheadings
from matchmaker.packages.problems import Problem
from matchmaker.rules import MAX_LENGTH, has_control_characters

__all__ = ["check_goods"]

_POSTINGS = ("needs", "offers", "links")


def check_goods(package: dict, keyed: dict, product_categories: dict, category_codes, problems: list) -> None:
    """Check the products section and every product reference of a package.

    `keyed` holds each section's records by key (``{code: (row, record)}``); `product_categories`
    maps the stored products' codes to their categories; `category_codes` are the categories
    known (package and stored). Records of needs, offers and links get the product's category
    when theirs is empty.
    """
    products = keyed.get("products", {})
    _check_products(products, category_codes, problems)
    categories = dict(product_categories)
    categories.update({code: rec["category"] for code, (_, rec) in products.items()})
    failed = {(p.section, p.row) for p in problems if p.field == "category" and p.section in _POSTINGS}
    for section in _POSTINGS:
        for row, rec in package.get(section, ()):
            _check_posting(section, row, rec, categories, problems, (section, row) in failed)


def _check_products(products: dict, category_codes, problems: list) -> None:
    hs_codes = _hs_codes()
    for code, (row, rec) in products.items():
        category = rec.get("category")
        if category is not None and category not in category_codes:
            problems.append(Problem("products", row, "category", f"unknown category {category}: neither in this "
                                    "package nor stored (品类不存在)"))
        hs = rec.get("hs")
        if hs is not None and hs not in hs_codes:
            problems.append(Problem("products", row, "hs", f"{hs} is not a subheading of the HS nomenclature "
                                    "(HS编码不存在)"))
        for alias in rec.get("aliases") or ():
            if len(alias) > MAX_LENGTH["name"] or has_control_characters(alias):
                problems.append(Problem("products", row, "aliases", f"each alias is at most {MAX_LENGTH['name']} "
                                        "characters of plain text (别名过长或含控制字符)"))
                break


def _check_posting(section: str, row: int, rec: dict, categories: dict, problems: list, failed: bool) -> None:
    """One need, offer or link; `failed`: its category cell was already reported."""
    product, category = rec.get("product"), rec.get("category")
    if product is not None:
        own = categories.get(product)
        if own is None:
            problems.append(Problem(section, row, "product", f"unknown product {product}: neither in this package "
                                    "nor stored (产品不存在)"))
        elif category is None:
            rec["category"] = own
        elif category != own:
            problems.append(Problem(section, row, "category", f"{category} is not the category of product "
                                    f"{product} ({own}) (品类与产品不符)"))
    elif category is None and not failed:
        problems.append(Problem(section, row, "category", "required when no product is given (未填产品时必填)"))
    for code in rec.get("accepts") or ():
        if code not in categories:
            problems.append(Problem(section, row, "accepts", f"unknown product {code[:40]}: neither in this "
                                    "package nor stored (产品不存在)"))


@lru_cache(maxsize=None)
def _hs_codes() -> frozenset:
    return frozenset(r["code"] for r in load_hs_subheadings())
