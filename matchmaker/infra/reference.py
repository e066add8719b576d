"""Reference data shipped with the service: regions, GB/T 4754-2017 industries, categories,
the product catalogue and the HS 2022 subheadings it refers to.

Pure helpers (no Flask, no database) reading the CSV files in ``matchmaker/data/``, built by
``scripts/build_reference_data.py`` and ``scripts/build_product_catalogue.py`` from the public sources named in
``matchmaker/data/SOURCES.md``.  Each loader reads its file once and caches the result:
treat what they return as read-only.

Records use the data-package field names, with two extra columns that are not package
fields: a region's ``approx_location`` (True when its point is its parent's centre, because
the source has none for it) and a category's ``name_en``.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

REGIONS_FILE = DATA_DIR / "regions.csv"
CATEGORIES_FILE = DATA_DIR / "categories.csv"
INDUSTRIES_FILE = DATA_DIR / "gbt4754_2017.csv"
PRODUCTS_FILE = DATA_DIR / "products.csv"
HS_SUBHEADINGS_FILE = DATA_DIR / "hs_subheadings.csv"
HS_CHAPTER_CATEGORIES_FILE = DATA_DIR / "hs_chapter_categories.csv"

#: Categories whose output is goods (sections A, B and C of GB/T 4754: crops, forestry,
#: livestock, fishery, mining, manufacturing), without the service sectors among them
#: (IO005 farm services, IO011 mining services, IO099 repair).  Each has catalogue products,
#: each with an HS subheading.
GOODS_CATEGORIES = frozenset(
    f"IO{n:03d}" for n in (*range(1, 5), *range(6, 11), *range(12, 99))
)
#: Electricity and heat, gas, water (section D): products with a physical unit; an HS
#: subheading where the HS has one (electrical energy, natural gas, water), none for heat.
UTILITY_CATEGORIES = frozenset({"IO100", "IO101", "IO102"})

__all__ = [
    "DATA_DIR",
    "load_regions",
    "load_categories",
    "load_industries",
    "load_products",
    "load_hs_subheadings",
    "load_hs_chapter_categories",
    "GOODS_CATEGORIES",
    "UTILITY_CATEGORIES",
    "industry_codes",
    "industry_section",
    "is_valid_industry",
    "normalize_industry",
]


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _float(text: str):
    return float(text) if text not in ("", None) else None


def _list(text: str) -> tuple:
    return tuple(x for x in (text or "").split(";") if x)


@lru_cache(maxsize=None)
def load_regions() -> tuple[dict, ...]:
    """Every province, city and county of China, in code order.

    Each record: ``code`` (six digits), ``name``, ``level`` (province|city|county),
    ``parent`` (code or None), ``lat``, ``lon`` (float or None), ``risk`` ('low'),
    ``approx_location`` (bool).
    """
    out = []
    for r in _read(REGIONS_FILE):
        out.append(
            {
                "code": r["code"],
                "name": r["name"],
                "level": r["level"],
                "parent": r["parent"] or None,
                "lat": _float(r["lat"]),
                "lon": _float(r["lon"]),
                "risk": r["risk"] or "low",
                "approx_location": r["approx_location"].lower() == "true",
            }
        )
    return tuple(out)


@lru_cache(maxsize=None)
def load_categories() -> tuple[dict, ...]:
    """The 153 categories of the 2020 input-output table (``IO001``..``IO153``).

    Each record: ``code``, ``name`` (Chinese), ``name_en``, ``unit``, ``inputs`` and
    ``substitutes`` (tuples of category codes).
    """
    return tuple(
        {
            "code": r["code"],
            "name": r["name"],
            "name_en": r["name_en"],
            "unit": r["unit"],
            "inputs": _list(r["inputs"]),
            "substitutes": _list(r["substitutes"]),
        }
        for r in _read(CATEGORIES_FILE)
    )


@lru_cache(maxsize=None)
def load_products() -> tuple[dict, ...]:
    """The shipped product catalogue, in code order (``P`` + category digits + sequence).

    Each record: ``code``, ``name_zh``, ``name_en``, ``unit`` (of every quantity of the
    product), ``category`` (an ``IO`` code), ``hs`` (six-digit HS 2022 subheading, or None
    for services and heat) and ``aliases`` (a tuple of other names people type).
    """
    return tuple(
        {
            "code": r["code"],
            "name_zh": r["name_zh"],
            "name_en": r["name_en"],
            "unit": r["unit"],
            "category": r["category"],
            "hs": r["hs"] or None,
            "aliases": _list(r["aliases"]),
        }
        for r in _read(PRODUCTS_FILE)
    )


@lru_cache(maxsize=None)
def load_hs_subheadings() -> tuple[dict, ...]:
    """Every HS 2022 six-digit subheading (5,613), in code order: ``code``, ``description``
    (English, as published) and ``chapter`` (its first two digits)."""
    return tuple(
        {"code": r["code"], "description": r["description"], "chapter": r["chapter"]}
        for r in _read(HS_SUBHEADINGS_FILE)
    )


@lru_cache(maxsize=None)
def load_hs_chapter_categories() -> dict[str, tuple[str, ...]]:
    """HS chapter (``"04"``) -> the categories a product under that chapter may belong to.

    The agreement table of ``hs_chapter_categories.csv`` (hand-made, explained in
    ``docs/reference-data.md``); a chapter that is absent (93 arms, 99) has no products.
    """
    return {r["chapter"]: _list(r["categories"]) for r in _read(HS_CHAPTER_CATEGORIES_FILE)}


@lru_cache(maxsize=None)
def load_industries() -> tuple[dict, ...]:
    """The GB/T 4754-2017 code list: ``code`` (``C``, ``C14``, ``C144``, ``C1441``), ``name``,
    ``level`` (section|division|group|class), ``parent_code`` (or None) and ``section``."""
    return tuple(
        {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "parent_code": r["parent_code"] or None,
            "section": r["section"],
        }
        for r in _read(INDUSTRIES_FILE)
    )


@lru_cache(maxsize=None)
def industry_codes() -> dict[str, str]:
    """Canonical industry code -> its section letter, for every code of the list."""
    return {r["code"]: r["section"] for r in load_industries()}


@lru_cache(maxsize=None)
def _section_of_digits() -> dict[str, str]:
    return {r["code"][1:]: r["section"] for r in load_industries() if r["level"] != "section"}


_CODE_RE = re.compile(r"^([A-Z]?)(\d{2,4})?$")


def normalize_industry(code) -> str | None:
    """The canonical form of an industry code, or None when it is not a GB/T 4754-2017 code.

    Accepts a section letter (``C``), the section letter followed by a division, group or
    class code (``C14``, ``C144``, ``C1441``), and the standard's own digits-only form
    (``1441``), in any case and with surrounding blanks.  The letter must be the code's
    own section (``A1441`` is invalid).

    >>> normalize_industry(" c1441 "), normalize_industry("1441"), normalize_industry("C")
    ('C1441', 'C1441', 'C')
    >>> normalize_industry("A1441") is None, normalize_industry("C9999") is None
    (True, True)
    """
    if not isinstance(code, str):
        return None
    text = code.strip().upper()
    m = _CODE_RE.match(text)
    if not text or not m:
        return None
    letter, digits = m.group(1), m.group(2)
    if digits is None:
        return letter if letter in industry_codes() else None
    section = _section_of_digits().get(digits)
    if section is None or (letter and letter != section):
        return None
    return section + digits


def is_valid_industry(code) -> bool:
    """Whether `code` is a GB/T 4754-2017 code or section letter (see :func:`normalize_industry`).

    >>> is_valid_industry("C1441"), is_valid_industry("C"), is_valid_industry("Z")
    (True, True, False)
    """
    return normalize_industry(code) is not None


def industry_section(code) -> str | None:
    """The section letter (门类) of an industry code, or None when the code is not valid.

    >>> industry_section("C1441"), industry_section("B0610"), industry_section("0610")
    ('C', 'B', 'B')
    >>> industry_section("X12") is None
    True
    """
    canonical = normalize_industry(code)
    return canonical[0] if canonical else None
