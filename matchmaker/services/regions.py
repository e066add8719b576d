"""Regions (GB/T 2260 administrative divisions): read-only reference data."""
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Region
from matchmaker.models.region import LEVELS, RISKS
from matchmaker.services.support import common
from matchmaker.services.support.errors import Invalid, NotFound


def get_region(code: str) -> Region:
    """The region with this code (short and 12-digit forms accepted), or NotFound."""
    six = common.normalise_region_code(code)
    row = db.session.get(Region, six) if six else None
    if row is None:
        raise NotFound("region %(id)s not found", id=f"{code!s:.20}")
    return row


def list_regions(filters: Mapping[str, Any] | None = None, page: int = 1,
                 page_size: int = 50) -> tuple[list[Region], int]:
    """(regions, total) ordered by code; filters: level, parent (direct children), within (code prefix),
    risk, q (name contains)."""
    filters = filters or {}
    stmt = sa.select(Region)
    if filters.get("level"):
        if filters["level"] not in LEVELS:
            raise Invalid("unknown level", {"level": ["one of: " + ", ".join(LEVELS)]})
        stmt = stmt.where(Region.level == filters["level"])
    if filters.get("parent"):
        stmt = stmt.where(Region.parent_code == common.normalise_region_code(filters["parent"]))
    if filters.get("within"):
        stmt = stmt.where(Region.code.startswith(common.region_filter_prefix(filters["within"], "within")))
    if filters.get("risk"):
        if filters["risk"] not in RISKS:
            raise Invalid("unknown risk", {"risk": ["one of: " + ", ".join(RISKS)]})
        stmt = stmt.where(Region.risk == filters["risk"])
    if filters.get("q"):
        stmt = stmt.where(Region.name.contains(filters["q"], autoescape=True))
    return common.page_of(stmt.order_by(Region.code), page, page_size)
