"""The data package's sections and fields, exactly as `data-package.md` lists them.

One table drives reading, validation, writing and export: each section maps its field names
(in spec order) to a `Field` saying what kind of value it holds and whether it is required.
"""
from dataclasses import dataclass
from typing import Optional

from matchmaker.rules import HELP_KINDS, KINDS, LEVELS, REPORTABLE_BLOCKERS, RISKS, STATUSES, TERMS

# Value kinds: text, enum, region (a region code), number, ratio, integer, date, bool,
# list (free codes resolved elsewhere), enum_list, ref (to another section), product_code (a
# product's own code: 1..40 characters without spaces), hs (an HS six-digit subheading).


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"
    required: bool = False
    choices: tuple = ()
    target: Optional[str] = None  # section a ref/list field refers to
    default: object = None
    minimum: Optional[float] = None  # numbers: lower bound
    exclusive: bool = False  # numbers: the lower bound itself is not allowed (> instead of >=)
    maximum: Optional[float] = None
    extra: bool = False  # not in data-package.md: accepted, and written only when some record has it


def _f(name, kind="text", **kw):
    return Field(name, kind, **kw)


SECTIONS: dict = {
    "regions": (
        _f("code", "region", required=True),
        _f("name", required=True),
        _f("level", "enum", required=True, choices=LEVELS),
        _f("parent", "region", target="regions"),
        _f("lat", "number", minimum=-90, maximum=90),
        _f("lon", "number", minimum=-180, maximum=180),
        _f("risk", "enum", choices=RISKS, default="low"),
    ),
    "categories": (
        _f("code", required=True),
        _f("name", required=True),
        _f("unit", required=True),
        _f("inputs", "list", target="categories", default=()),
        _f("substitutes", "list", target="categories", default=()),
    ),
    "products": (
        _f("code", "product_code", required=True),
        _f("name_zh", required=True),
        _f("name_en", required=True),
        _f("unit", required=True),
        _f("category", "ref", required=True, target="categories"),
        _f("hs", "hs"),
        _f("aliases", "list", default=()),
    ),
    "firms": (
        _f("ref", required=True),
        _f("name", required=True),
        _f("kind", "enum", required=True, choices=KINDS),
        _f("region", "region", required=True, target="regions"),
        _f("industry", "industry"),
        _f("park"),
        _f("credit_code", "credit_code"),
        _f("operating", "bool", default=True),
        _f("capacity_utilization", "number", minimum=0, maximum=1),
        _f("workers_back", "number", minimum=0, maximum=1),
        _f("blockers", "enum_list", choices=REPORTABLE_BLOCKERS, default=()),
        _f("contact_email", "email"),
        # an optional extra column (docs/data-packages.md): the firm's workforce, weighting monitoring
        _f("headcount", "integer", minimum=0, extra=True),
    ),
    "needs": (
        _f("ref", required=True),
        _f("firm", "ref", required=True, target="firms"),
        # required unless a product is given (then it is the product's category)
        _f("category", "ref", target="categories"),
        _f("product", "ref", target="products"),
        _f("accepts", "list", target="products", default=()),
        _f("quantity", "number", required=True, minimum=0, exclusive=True),
        _f("needed_by", "date", required=True),
        _f("max_unit_price", "number", minimum=0, exclusive=True),
        _f("terms", "enum_list", choices=TERMS, default=()),
        _f("status", "enum", choices=STATUSES, default="open"),
        _f("note"),
    ),
    "offers": (
        _f("ref", required=True),
        _f("firm", "ref", required=True, target="firms"),
        _f("category", "ref", target="categories"),
        _f("product", "ref", target="products"),
        _f("quantity", "number", required=True, minimum=0, exclusive=True),
        _f("available_from", "date", required=True),
        _f("available_until", "date"),
        _f("lead_time_days", "integer", minimum=0, default=0),
        _f("unit_price", "number", minimum=0, exclusive=True),
        _f("delivery_radius_km", "number", minimum=0),
        _f("help_wanted", "enum_list", choices=HELP_KINDS, default=()),
        _f("status", "enum", choices=STATUSES, default="open"),
        _f("note"),
    ),
    "links": (
        _f("ref", required=True),
        _f("supplier", "ref", required=True, target="firms"),
        _f("buyer", "ref", required=True, target="firms"),
        _f("category", "ref", target="categories"),
        _f("product", "ref", target="products"),
        _f("quantity_per_week", "number", required=True, minimum=0, exclusive=True),
        _f("active", "bool", default=True),
        _f("terms", "enum_list", choices=TERMS, default=()),
        _f("since", "date"),  # empty: the day of the import (a stored link keeps its day)
    ),
    # the article-10 ledger (spec/article10.md): what was ordered, delivered and paid on a link
    "orders": (
        _f("ref", required=True),
        _f("link", "ref", required=True, target="links"),
        _f("date", "date", required=True),
        _f("quantity", "number", required=True, minimum=0, exclusive=True),
    ),
    "deliveries": (
        _f("ref", required=True),
        _f("link", "ref", required=True, target="links"),
        _f("date", "date", required=True),
        _f("quantity", "number", required=True, minimum=0, exclusive=True),
        _f("amount", "number", required=True, minimum=0, exclusive=True),
    ),
    "payments": (
        _f("ref", required=True),
        _f("link", "ref", required=True, target="links"),
        _f("date", "date", required=True),
        _f("amount", "number", required=True, minimum=0, exclusive=True),
        _f("delivery", "ref", target="deliveries"),
    ),
}

#: Sections in the order they must be written (references point backwards only).
SECTION_ORDER = ("regions", "categories", "products", "firms", "needs", "offers", "links", "orders", "deliveries",
                 "payments")
#: The key of each section: `code` for regions, categories and products, `ref` for the rest.
KEY = {s: ("code" if s in ("regions", "categories", "products") else "ref") for s in SECTION_ORDER}
FIELDS = {s: {f.name: f for f in fields} for s, fields in SECTIONS.items()}
FIELD_NAMES = {s: tuple(f.name for f in fields) for s, fields in SECTIONS.items()}
#: Fields beyond the spec's (accepted on import; written only when a record of the section has one).
EXTRA_FIELDS = {s: frozenset(f.name for f in fields if f.extra) for s, fields in SECTIONS.items()}


def written_names(section: str, records) -> tuple:
    """The field names a writer puts in a section: the spec's, plus each extra field some record has."""
    extra = EXTRA_FIELDS.get(section)
    if not extra:
        return FIELD_NAMES[section]
    present = {n for n in extra if any(r.get(n) is not None for r in records)}
    return tuple(n for n in FIELD_NAMES[section] if n not in extra or n in present)
#: List fields: JSON arrays in JSON, `;`-separated text in CSV and xlsx.
LIST_FIELDS = frozenset(
    f.name for fields in SECTIONS.values() for f in fields if f.kind in ("list", "enum_list")
)
