"""Read-only look-ups for pick lists: counties, firms, parks and staff in a scope."""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Region, User
from matchmaker.services.auth import scope_prefix


def list_counties(actor: User) -> list[Region]:
    """Counties within the actor's region scope (all for admins), by code."""
    prefix = scope_prefix(actor) or ""
    stmt = sa.select(Region).where(Region.level == "county", Region.code.startswith(prefix)).order_by(Region.code)
    return list(db.session.scalars(stmt))


def list_firms_in_scope(actor: User) -> list[Firm]:
    """Firms within the actor's region scope (all for admins; a firm user's own firm), by ref."""
    if actor.role == "firm":
        return [actor.firm] if actor.firm is not None else []
    prefix = scope_prefix(actor) or ""
    return list(db.session.scalars(sa.select(Firm).where(Firm.region_code.startswith(prefix)).order_by(Firm.ref)))


def count_firms_in_scope(actor: User) -> int:
    """How many firms lie within the actor's region scope."""
    if actor.role == "firm":
        return 1 if actor.firm is not None else 0
    prefix = scope_prefix(actor) or ""
    return db.session.scalar(sa.select(sa.func.count(Firm.id)).where(Firm.region_code.startswith(prefix)))


def list_parks(actor: User) -> list[str]:
    """Distinct park names of the firms in the actor's scope."""
    prefix = scope_prefix(actor) or ""
    stmt = (sa.select(Firm.park).where(Firm.park.is_not(None), Firm.region_code.startswith(prefix))
            .distinct().order_by(Firm.park))
    return [p for p in db.session.scalars(stmt) if p]


def list_staff(actor: User) -> list[User]:
    """Active task-force staff whose jurisdiction lies within the actor's (to assign breaks to)."""
    prefix = scope_prefix(actor) or ""
    stmt = (sa.select(User).where(User.role == "staff", User.active.is_(True), User.region_code.startswith(prefix))
            .order_by(User.name, User.id))
    return list(db.session.scalars(stmt))
