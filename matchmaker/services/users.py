"""User accounts: firm users, task-force staff of a region, administrators (managed by admins)."""
from typing import Optional

import sqlalchemy as sa

from matchmaker import rules
from matchmaker.errors import Forbidden, Invalid, NotFound
from matchmaker.infra.extensions import db
from matchmaker.models import User
from matchmaker.services import auth
from matchmaker.services.support import common

ROLES = rules.ROLES


def _require_admin(actor: Optional[User]) -> None:
    """Forbidden unless the actor is an administrator (None = the system, e.g. the CLI)."""
    if actor is not None and actor.role != "admin":
        raise Forbidden("only administrators manage accounts")


def create_user(actor: Optional[User], data: dict) -> User:
    """Create an account from email, name, password, role and firm (ref) or region (code)."""
    _require_admin(actor)
    errors = {}
    rules.check_account(data, errors)
    rules.raise_if(errors, "invalid user")
    region = rules.normalise_region_code(data.get("region")) if data.get("region") else None
    return auth.create_user(data["email"], data.get("name"), data["password"], data.get("role"),
                            firm_ref=data.get("firm"), region_code=region or data.get("region"),
                            locale=data.get("locale"))


def deactivate_user(actor: Optional[User], user_id: int) -> User:
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


def deactivate_user_by_email(actor: Optional[User], email: str) -> User:
    """Deactivate the account with this e-mail (see `deactivate_user`); NotFound when there is none."""
    _require_admin(actor)
    user_id = db.session.scalar(sa.select(User.id).where(User.email == (email or "").strip().lower()))
    if user_id is None:
        raise NotFound("no account with e-mail %(email)s", email=email)
    return deactivate_user(actor, user_id)


def list_users(actor: Optional[User], filters: Optional[dict] = None, page: int = 1,
               page_size: int = 50) -> tuple[list[User], int]:
    """(users, total) ordered by e-mail; filters: role, active."""
    _require_admin(actor)
    filters = filters or {}
    stmt = sa.select(User)
    if filters.get("role"):
        stmt = stmt.where(User.role == filters["role"])
    if filters.get("active") is not None:
        stmt = stmt.where(User.active.is_(bool(filters["active"])))
    return common.page_of(stmt.order_by(User.email), page, page_size)
