"""Region and category schemas (read-only reference data)."""
from marshmallow import fields

from matchmaker.rules import LEVELS, RISKS
from matchmaker.schemas.common import CategoryCode, Choice, InputSchema, OutputSchema, RegionCode, Text


class RegionSchema(OutputSchema):
    """A GB/T 2260 region."""

    code = fields.String()
    name = fields.String()
    level = fields.String(metadata={"enum": list(LEVELS)})
    parent = fields.String(attribute="parent_code", allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    risk = fields.String(metadata={"enum": list(RISKS)})


class RegionQueryArgsSchema(InputSchema):
    """Filters of the region list."""

    level = Choice(LEVELS)
    parent = RegionCode(metadata={"description": "direct children of this region"})
    within = RegionCode(metadata={"description": "this region and every region under it"})
    risk = Choice(RISKS)
    q = Text(max_length=100, metadata={"description": "name contains"})


class CategorySchema(OutputSchema):
    """A traded category with its inputs (upstream) and substitutes."""

    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    unit = fields.String()
    inputs = fields.Function(lambda row: [getattr(c, "code", c) for c in row.inputs])  # categories, or their codes
    substitutes = fields.Function(lambda row: [getattr(c, "code", c) for c in row.substitutes])


class CategoryQueryArgsSchema(InputSchema):
    """Filters of the category list."""

    q = Text(max_length=100, metadata={"description": "code or name contains"})
    input_of = CategoryCode(metadata={"description": "the inputs of this category"})
