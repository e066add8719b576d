"""Product schemas of the catalogue search (read-only reference data)."""
from marshmallow import fields

from matchmaker.schemas.common import InputSchema, OutputSchema, Text


class ProductCategorySchema(OutputSchema):
    """The category a product belongs to."""

    code = fields.String()
    name = fields.String(metadata={"description": "Chinese name"})
    name_en = fields.String(allow_none=True)


class ProductSchema(OutputSchema):
    """A catalogue product: what is traded inside a category, and the unit of its quantities."""

    code = fields.String(metadata={"example": "P003001"})
    name_zh = fields.String(metadata={"example": "生鲜乳"})
    name_en = fields.String(metadata={"example": "Raw milk"})
    unit = fields.String(metadata={"description": "the unit of every quantity of this product", "example": "t"})
    category = fields.Nested(ProductCategorySchema, attribute="category_ref")
    hs = fields.String(allow_none=True, metadata={"description": "HS six-digit subheading (null for services)",
                                                  "example": "040120"})


class ProductQueryArgsSchema(InputSchema):
    """The search of the product list."""

    q = Text(max_length=100, metadata={
        "description": "what you type: a Chinese or English name, an alias, pinyin (full or initials), "
                       "a product, HS or category code; best first (exact code, then prefixes, then "
                       "substrings). Empty or absent: every product in code order."})
