"""The product picker on the need, offer and link forms: what the page needs to draw it, and what a
posted product field means.

The field is a plain text input (the picker script turns it into a combobox): it posts a product
code, or, without the script, whatever the person typed; :func:`posted_goods` reads it (a code, the
picker's label, or a product's exact name or alias) and says what is wrong in the user's language.
When a product is chosen, the category select is not sent (the product's category is the
posting's); it serves only to post by category when no product fits (spec/products.md).
"""
from __future__ import annotations

import json
from typing import Optional

from flask import url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from matchmaker.services import categories, products
from matchmaker.services.support.errors import NotFound
from matchmaker.web.helpers import is_en

__all__ = ["picker", "posted_goods", "posted_accepts", "accepts_pickers"]


def _public(record: dict) -> dict:
    """A product as the API shows it (what the picker script reads)."""
    return {"code": record["code"], "name_zh": record["name_zh"], "name_en": record["name_en"],
            "unit": record["unit"], "hs": record["hs"], "category": record["category_ref"]}


def picker(code: Optional[str], category: Optional[str] = None) -> dict:
    """What the `product_picker` macro needs: the chosen product (or None), the unit of the
    quantity (the product's, else the chosen category's), the categories' units, the API address
    and the page's language."""
    chosen = None
    if code:
        try:
            chosen = _public(products.get_product(code))
        except NotFound:
            chosen = None
    units = {c: unit for c, (_name, _en, unit) in categories.category_names().items()}
    return {
        "chosen": chosen,
        "chosen_json": json.dumps(chosen, ensure_ascii=False) if chosen else "",
        "label": _label(chosen) if chosen else "",
        "unit": chosen["unit"] if chosen else units.get(category or "", ""),
        "units_json": json.dumps(units, ensure_ascii=False, separators=(",", ":")),
        "source": url_for("products.Products"),
        "lang": "en" if is_en() else "zh",
    }


def _label(p: dict) -> str:
    first, second = (p["name_en"], p["name_zh"]) if is_en() else (p["name_zh"], p["name_en"])
    return f"{first} · {second} ({p['code']})"


def posted_goods(form: FlaskForm) -> tuple[Optional[dict], bool]:
    """The product and category a form posts: ({"product": code or None, "category": code or
    None}, ok).  When not ok, the message is on ``form.product`` and nothing should be saved."""
    text = (form.product.data or "").strip()
    category = form.category.data or None
    if not text:
        if category is None:
            form.product.errors = list(form.product.errors or []) + [
                _("Choose a product, or a category below when no product fits.")]
            return None, False
        return {"product": None, "category": category}, True
    record, candidates = products.find_product(text)
    if record is not None:
        # the product decides the category (the select serves only when no product fits)
        form.product.data = record["code"]
        return {"product": record["code"], "category": None}, True
    if candidates:
        names = "; ".join(_label(_public(r)) for r in candidates)
        message = _("Which product do you mean by “%(text)s”? For example: %(names)s.", text=text, names=names)
    else:
        message = _("No product matches “%(text)s”. Try other words, or post by category below.", text=text)
    form.product.errors = list(form.product.errors or []) + [message]
    return None, False



def accepts_pickers(form: FlaskForm, codes: Optional[list] = None) -> list:
    """(field, picker) of each product field of a need's ``accepts``: the stored codes first (when
    given, on a page's first view), then blank fields to add more (forms.ACCEPTS_BLANKS); each
    field labelled with its number, so that a screen reader tells them apart."""
    from matchmaker.web.forms import ACCEPTS_BLANKS  # the form's own constant

    if codes is not None:
        while len(form.accepts.entries):
            form.accepts.pop_entry()
        for code in list(codes) + [""] * ACCEPTS_BLANKS:
            form.accepts.append_entry(code)
    out = []
    for i, entry in enumerate(form.accepts.entries, start=1):
        entry.label.text = _("Other product you also take (%(n)s)", n=i)
        out.append((entry, picker(entry.data)))
    return out


def posted_accepts(form: FlaskForm) -> tuple[list, bool]:
    """The product codes a need form posts in ``accepts`` (each field: a code, the picker's label
    or an exact name; blanks skipped, repeats dropped), and whether all were clear; an unclear one
    gets its message on its own field."""
    codes, ok = [], True
    for entry in form.accepts.entries:
        text = (entry.data or "").strip()
        if not text:
            continue
        record, candidates = products.find_product(text)
        if record is None:
            entry.errors = list(entry.errors or []) + [_message(text, candidates)]
            ok = False
            continue
        entry.data = record["code"]
        if record["code"] not in codes:
            codes.append(record["code"])
    return codes, ok


def _message(text: str, candidates: list) -> str:
    if candidates:
        names = "; ".join(_label(_public(r)) for r in candidates)
        return _("Which product do you mean by “%(text)s”? For example: %(names)s.", text=text, names=names)
    return _("No product matches “%(text)s”. Try other words.", text=text)
