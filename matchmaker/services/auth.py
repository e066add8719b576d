"""Accounts, passwords, API tokens and the region scope of a user."""
import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.infra.settings import setting
from matchmaker.models import ApiToken, Firm, Region, User
from matchmaker.models.base import utcnow
from matchmaker.models.region import region_prefix
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, Message, NotFound

# Argon2id with the library's RFC 9106 low-memory profile (64 MiB, t=3). Under TESTING the
# cheapest profile is used unless PASSWORD_HASH_PROFILE says otherwise: hashes carry their own
# parameters, so verification works across profiles. argon2 is imported when a password is
# hashed or verified: the batch commands, which import this module for scopes, never do.
_HASHERS = {}
_DUMMY = {}


def _profile_name():
    """Name of the argon2 profile to hash with (CHEAPEST under TESTING unless configured)."""
    default = "CHEAPEST" if setting("TESTING") else "RFC_9106_LOW_MEMORY"
    return setting("PASSWORD_HASH_PROFILE") or default


def _hasher():
    """The argon2 PasswordHasher of the current profile (cached)."""
    name = _profile_name()
    if name not in _HASHERS:
        from argon2 import PasswordHasher, profiles

        _HASHERS[name] = PasswordHasher.from_parameters(getattr(profiles, name))
    return _HASHERS[name]


def _dummy_hash() -> str:
    """A hash verified against when the e-mail is unknown, so both paths cost the same."""
    name = _profile_name()
    if name not in _DUMMY:
        _DUMMY[name] = _hasher().hash("not a password")
    return _DUMMY[name]


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    hasher = _hasher()
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same work either way)."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    password = password if isinstance(password, str) else ""
    user = db.session.scalar(sa.select(User).where(User.email == email)) if 0 < len(email) <= 200 else None
    if user is None:
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        return None
    return user


def create_user(email: str, name: str | None, password: str, role: str, firm_ref: str | None = None,
                region_code: str | None = None, locale: str | None = None, commit: bool = True) -> User:
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
        raise Conflict("a user with e-mail %(email)s exists", {"email": ["already registered"]}, email=email)
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


# --- sessions and passwords ---------------------------------------------------------------------
#
# A web session holds "<user id>:<session version>" (User.get_id). The session cookie is signed
# client-side, so it cannot be withdrawn; raising the account's session version instead makes
# every cookie issued before unusable at once.

def user_for_session(session_id: str | None) -> User | None:
    """The active user of a session id "<user id>:<session version>", or None when the account is
    inactive, unknown, or its sessions were ended since (sign-out, password change, deactivation)."""
    user_id, _, version = str(session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit() and len(user_id) <= 10 and len(version) <= 10):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or (user.session_version or 1) != int(version):
        return None
    return user


def end_sessions(user: User) -> None:
    """Make every session of the user invalid (the caller commits)."""
    user.session_version = (user.session_version or 1) + 1


def revoke_all_tokens(user: User) -> None:
    """Revoke every API token of the user (the caller commits)."""
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def sign_out(user: User) -> None:
    """Sign the user out everywhere: every browser session of the account ends (tokens stay)."""
    end_sessions(user)
    db.session.commit()


MIN_PASSWORD = 8
MAX_PASSWORD = 1000


def change_password(user: User, current_password: str, new_password: str) -> User:
    """Set a new password after checking the current one; ends every session and revokes every API
    token of the account (the caller signs the current browser in again if it wants to keep it)."""
    errors = {}
    current_password = current_password if isinstance(current_password, str) else ""
    new_password = new_password if isinstance(new_password, str) else ""
    if not verify_password(user.password_hash, current_password):
        errors["current_password"] = ["is not your current password"]
    if len(new_password) < MIN_PASSWORD:
        errors["new_password"] = [Message("at least %(n)s characters", n=MIN_PASSWORD)]
    elif len(new_password) > MAX_PASSWORD:
        errors["new_password"] = [Message("at most %(n)s characters", n=MAX_PASSWORD)]
    elif "current_password" not in errors and new_password == current_password:
        errors["new_password"] = ["must differ from the current password"]
    if errors:
        raise Invalid("the password was not changed", errors)
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    revoke_all_tokens(user)
    db.session.commit()
    return user


def _digest(token: str) -> str:
    """SHA-256 hex digest of a plain token (what the table stores)."""
    return hashlib.sha256(token.encode()).hexdigest()


#: How long a bearer token lives when TOKEN_LIFETIME is not configured.
DEFAULT_TOKEN_LIFETIME = timedelta(days=30)


def token_lifetime() -> timedelta:
    """How long a token is honoured after it is issued or renewed (TOKEN_LIFETIME, default 30 days)."""
    value = setting("TOKEN_LIFETIME", DEFAULT_TOKEN_LIFETIME)
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def create_token(user: User, name: str = "api") -> tuple[ApiToken, str]:
    """(ApiToken row, plain token) for a user; the plain token is shown once and never stored.
    It expires after :func:`token_lifetime` unless renewed."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, digest=_digest(token), name=(name or "api")[:100],
                   expires_at=utcnow() + token_lifetime())
    db.session.add(row)
    db.session.commit()
    return row, token


def issue_token(user: User, name: str = "api") -> str:
    """Create a bearer token for a user; the plain token is returned once and never stored."""
    return create_token(user, name)[1]


def _live(row, now: datetime | None = None) -> bool:
    """Whether a token row may be used: not revoked and not expired."""
    return row.revoked_at is None and row.expires_at is not None and _aware(row.expires_at) > (now or utcnow())


def _aware(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives them back naive when read by column)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _token_row(token: str):
    """The live (non-revoked, unexpired) token row of a plain bearer token, or None."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.digest == _digest(token), ApiToken.revoked_at.is_(None))
    )
    return row if row is not None and _live(row) else None


#: The user of a token and when it expires, if it is not revoked (one statement, built once).
_TOKEN_USER = (sa.select(User, ApiToken.expires_at).join(ApiToken, ApiToken.user_id == User.id)
               .where(ApiToken.digest == sa.bindparam("digest"), ApiToken.revoked_at.is_(None)))


def user_for_token(token: str) -> User | None:
    """The active user a live (non-revoked, unexpired) bearer token belongs to, or None (one query
    for the user and the token's expiry: every API request asks it)."""
    if not token or len(token) > 200:
        return None
    row = db.session.execute(_TOKEN_USER, {"digest": _digest(token)}).first()
    if row is None:
        return None
    user, expires_at = row
    if expires_at is None or _aware(expires_at) <= utcnow() or not user.active:
        return None
    return user


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (admins may revoke anyone's); others' tokens look absent."""
    row = db.session.get(ApiToken, token_id) if 0 < token_id <= 2**31 - 1 else None
    if row is None or (row.user_id != user.id and user.role != "admin"):
        raise NotFound("token not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    return row


def renew_token(user: User, token_id: int) -> ApiToken:
    """Renew one of the user's own live tokens: it is honoured for :func:`token_lifetime` from now
    (same token, new `expires_at`). Someone else's token looks absent; a revoked or expired token
    cannot be renewed (Conflict: sign in again for a new one)."""
    row = db.session.get(ApiToken, token_id) if 0 < token_id <= 2**31 - 1 else None
    if row is None or row.user_id != user.id:
        raise NotFound("token not found")
    if not _live(row):
        raise Conflict("this token is revoked or has expired; sign in for a new one",
                       {"token": ["revoked" if row.revoked_at is not None else "expired"]})
    row.expires_at = utcnow() + token_lifetime()
    db.session.commit()
    return row


def list_tokens(user: User) -> Sequence[ApiToken]:
    """The user's own tokens, newest first (digests only; the plain tokens are never stored)."""
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()


def token_id_for(token: str) -> int | None:
    """The id of the live token row for a plain bearer token, or None."""
    row = _token_row(token)
    return row.id if row is not None else None


# --- region scope -----------------------------------------------------------------------------

def scope_prefix(user: User) -> str | None:
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


def require_write(user: User, firm: Firm) -> None:
    """Raise Forbidden unless the user may write for this firm."""
    if not can_write_firm(user, firm):
        raise Forbidden("you may only change your own firm's data")


def set_locale(user: User, locale: str) -> None:
    """Remember a user's language (zh_CN or en) on the account."""
    user.locale = locale
    db.session.commit()
