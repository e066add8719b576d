"""User accounts: firm users, task-force staff of a region, administrators (managed by admins)."""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import User
from matchmaker.services import auth
from matchmaker.services.support import common
from matchmaker.services.support.errors import Forbidden, Invalid

ROLES = ("firm", "staff", "admin")


def _require_admin(actor):
    """Forbidden unless the actor is an administrator (None = the system, e.g. the CLI)."""
    if actor is not None and actor.role != "admin":
        raise Forbidden("only administrators manage accounts")


def create_user(actor, data):
    """Create an account from email, name, password, role and firm (ref) or region (code)."""
    _require_admin(actor)
    errors = {}
    for key in data:
        if key not in ("email", "name", "password", "role", "firm", "region", "locale"):
            errors.setdefault(key, []).append("unknown field")
    common.check_text(data, "email", errors, 200, required=True)
    common.check_text(data, "name", errors, 200)
    common.check_text(data, "password", errors, 1000, required=True)
    if data.get("role") in ("firm", "admin") and data.get("region"):
        errors.setdefault("region", []).append(f"not used for role {data['role']}")
    if data.get("role") in ("staff", "admin") and data.get("firm"):
        errors.setdefault("firm", []).append(f"not used for role {data['role']}")
    common.raise_if(errors, "invalid user")
    region = common.normalise_region_code(data.get("region")) if data.get("region") else None
    return auth.create_user(data["email"], data.get("name"), data["password"], data.get("role"),
                            firm_ref=data.get("firm"), region_code=region or data.get("region"),
                            locale=data.get("locale"))


def deactivate_user(actor, user_id):
    """Deactivate an account: it can no longer sign in, its sessions end and its API tokens are revoked."""
    _require_admin(actor)
    user = common.get_row(User, user_id, "user")
    if actor is not None and user.id == actor.id:
        raise Invalid("you cannot deactivate yourself", {"user": ["is yourself"]})
    user.active = False
    auth.end_sessions(user)
    auth.revoke_all_tokens(user)
    db.session.commit()
    return user


def list_users(actor, filters=None, page=1, page_size=50):
    """(users, total) ordered by e-mail; filters: role, active."""
    _require_admin(actor)
    filters = filters or {}
    stmt = sa.select(User)
    if filters.get("role"):
        stmt = stmt.where(User.role == filters["role"])
    if filters.get("active") is not None:
        stmt = stmt.where(User.active.is_(bool(filters["active"])))
    return common.page_of(stmt.order_by(User.email), page, page_size)
