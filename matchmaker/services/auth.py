"""Accounts, passwords, API tokens and the region scope of a user."""
import hashlib
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from matchmaker.extensions import db
from matchmaker.models import ApiToken, Firm, Region, User
from matchmaker.models.base import utcnow
from matchmaker.models.region import region_prefix
from matchmaker.services.errors import Conflict, Forbidden, Invalid, NotFound

_hasher = PasswordHasher()  # Argon2id, the library's RFC 9106 low-memory profile
# Verified against when the e-mail is unknown, so both paths cost the same (no user enumeration).
_DUMMY_HASH = _hasher.hash("not a password")


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str):
    """The active user with this e-mail and password, or None (same work either way)."""
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        return None
    return user


def create_user(email, name, password, role, firm_ref=None, region_code=None, locale=None, commit=True):
    """Create an account: a firm user (firm_ref), task-force staff (region_code) or an admin."""
    email = (email or "").strip().lower()
    errors = {}
    if role not in ("firm", "staff", "admin"):
        errors["role"] = ["must be firm, staff or admin"]
    if not email or "@" not in email:
        errors["email"] = ["a valid e-mail address is required"]
    if not password or len(password) < 8:
        errors["password"] = ["at least 8 characters"]
    firm = region = None
    if role == "firm":
        firm = db.session.scalar(sa.select(Firm).where(Firm.ref == firm_ref)) if firm_ref else None
        if firm is None:
            errors["firm"] = ["a firm user needs an existing firm ref"]
    if role == "staff":
        region = db.session.get(Region, region_code) if region_code else None
        if region is None:
            errors["region"] = ["task-force staff need an existing region code"]
    if errors:
        raise Invalid("invalid user", errors)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} exists", {"email": ["already registered"]})
    user = User(
        email=email, name=name or email, password_hash=hash_password(password), role=role,
        firm_id=firm.id if firm else None, region_code=region.code if region else None, locale=locale,
    )
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "api") -> str:
    """Create a bearer token for a user; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, digest=_digest(token), name=name))
    db.session.commit()
    return token


def user_for_token(token: str):
    """The active user a non-revoked bearer token belongs to, or None."""
    if not token:
        return None
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.digest == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user


def revoke_token(user: User, token_id: int):
    """Revoke one of the user's tokens (admins may revoke anyone's)."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token not found")
    if row.user_id != user.id and user.role != "admin":
        raise Forbidden("not your token")
    row.revoked_at = utcnow()
    db.session.commit()


# --- region scope -----------------------------------------------------------------------------

def scope_prefix(user: User):
    """Region-code prefix a user may read: '' for admins, the region's prefix for staff,
    None for firm users (who are scoped by firm, not by region)."""
    if user.role == "admin":
        return ""
    if user.role == "staff" and user.region is not None:
        return region_prefix(user.region.code, user.region.level)
    return None


def in_scope(user: User, region_code: str) -> bool:
    """Whether a staff user's jurisdiction (or an admin's) covers a region code."""
    prefix = scope_prefix(user)
    return prefix is not None and (region_code or "").startswith(prefix)


def can_read_firm(user: User, firm: Firm) -> bool:
    """Firm users read their own firm; staff their region and below; admins all."""
    if user.role == "firm":
        return user.firm_id == firm.id
    return in_scope(user, firm.region_code)


def can_write_firm(user: User, firm: Firm) -> bool:
    """Firm users write only their own firm's postings and status; admins all; staff none."""
    if user.role == "admin":
        return True
    return user.role == "firm" and user.firm_id == firm.id


def require_write(user: User, firm: Firm):
    """Raise Forbidden unless the user may write for this firm."""
    if not can_write_firm(user, firm):
        raise Forbidden("you may only change your own firm's data")


def set_locale(user: User, locale: str):
    """Remember a user's language (zh_CN or en) on the account."""
    user.locale = locale
    db.session.commit()
