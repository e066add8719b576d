"""The rules of products and of the postings that name one (`spec/products.md`).

- a product's code: any text of 1 to 40 characters without spaces (the shipped catalogue uses
  the service's own codes, ``P003001``);
- its HS subheading: six digits (whether the subheading exists is the shipped HS list's to say);
- **a posting's unit**: its product's unit when it names one, else its category's unit
  (:func:`posting_unit`, the one statement of that rule);
- a posting that names a product has the product's category: the category may be left out,
  and when both are given they must agree (:func:`category_disagrees`).
"""
import re
from typing import Optional

from matchmaker.errors import Message
from matchmaker.rules.checks import add

__all__ = ["PRODUCT_CODE", "HS_SUBHEADING", "MAX_PRODUCT_CODE", "MAX_ACCEPTS", "is_product_code",
           "is_hs_subheading", "posting_unit", "category_disagrees", "clean_aliases", "check_product",
           "check_accepts"]

#: The longest product code.
MAX_PRODUCT_CODE = 40
#: Product codes: 1 to 40 characters, none of them blank (any Unicode space counts).
PRODUCT_CODE = re.compile(r"^\S{1,40}$")
#: An HS six-digit subheading as written (``040110``).
HS_SUBHEADING = re.compile(r"^[0-9]{6}$")
#: At most this many other products a need accepts (a list a person types, not a catalogue).
MAX_ACCEPTS = 100


def is_product_code(code) -> bool:
    """Whether `code` has the shape of a product code (1..40 characters, no spaces).

    >>> is_product_code("P003001"), is_product_code("my-milk"), is_product_code("raw milk"), is_product_code("")
    (True, True, False, False)
    """
    return isinstance(code, str) and PRODUCT_CODE.match(code) is not None


def is_hs_subheading(code) -> bool:
    """Whether `code` is written as an HS six-digit subheading.

    >>> is_hs_subheading("040110"), is_hs_subheading("0401"), is_hs_subheading("04011a")
    (True, False, False)
    """
    return isinstance(code, str) and HS_SUBHEADING.match(code) is not None


def posting_unit(product_unit: Optional[str], category_unit: Optional[str]) -> Optional[str]:
    """The unit a posting's quantities are in: its product's unit, else its category's.

    Pass ``product_unit=None`` for a posting that names no product.

    >>> posting_unit("head", "t"), posting_unit(None, "t")
    ('head', 't')
    """
    return product_unit if product_unit is not None else category_unit


def category_disagrees(category: Optional[str], product_category: Optional[str]) -> bool:
    """Whether a posting gives a category other than its product's (an empty one agrees).

    >>> category_disagrees("IO003", "IO003"), category_disagrees(None, "IO003"), category_disagrees("IO001", "IO003")
    (False, False, True)
    """
    return category not in (None, "") and product_category is not None and category != product_category


def clean_aliases(aliases) -> list:
    """Aliases as a list of distinct non-empty texts, in their order.

    >>> clean_aliases([" 生鲜乳 ", "", "生鲜乳", "raw milk"])
    ['生鲜乳', 'raw milk']
    """
    out = []
    for alias in aliases or ():
        text = str(alias).strip()
        if text and text not in out:
            out.append(text)
    return out


PRODUCT_CODE_MESSAGE = "not a product code (1 to 40 characters without spaces)"


def check_product(data: dict, field: str, errors: dict) -> None:
    """A product code field (absent, null or empty: no product)."""
    value = data.get(field)
    if value is None or value == "":
        return
    if not is_product_code(value):
        add(errors, field, PRODUCT_CODE_MESSAGE)


def check_accepts(data: dict, errors: dict) -> None:
    """A need's ``accepts``: a list of at most MAX_ACCEPTS product codes; repeats dropped in `data`.

    >>> data, errors = {"accepts": ["P1", "P2", "P1"]}, {}
    >>> check_accepts(data, errors); data["accepts"], errors
    (['P1', 'P2'], {})
    """
    value = data.get("accepts")
    if value is None:
        return
    if not isinstance(value, (list, tuple)):
        add(errors, "accepts", "must be a list of product codes")
        return
    if not all(is_product_code(v) for v in value):
        add(errors, "accepts", PRODUCT_CODE_MESSAGE)
        return
    codes = list(dict.fromkeys(value))
    if len(codes) > MAX_ACCEPTS:
        add(errors, "accepts", Message("at most %(n)s products", n=MAX_ACCEPTS))
        return
    data["accepts"] = codes
