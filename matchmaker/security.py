"""Who is asking: a bearer token (API) or the session (web)."""
from flask import g, request
from flask_login import current_user

from matchmaker.extensions import db, login_manager
from matchmaker.models import User
from matchmaker.services.auth import user_for_token
from matchmaker.services.errors import Forbidden, Unauthorized


@login_manager.user_loader
def _load_user(user_id):
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def current_actor(required=True):
    """The authenticated user of this request: bearer token first, then the web session."""
    if "actor" in g:
        return g.actor
    header = request.headers.get("Authorization", "")
    user = None
    if header[:7].lower() == "bearer ":
        user = user_for_token(header[7:].strip())
        if user is None:
            raise Unauthorized("the bearer token is invalid or revoked")
    elif getattr(current_user, "is_authenticated", False):
        user = current_user._get_current_object()
    if user is None and required:
        raise Unauthorized("sign in or send a bearer token")
    g.actor = user
    return user


def require_role(*roles):
    """The current user, if their role is one of `roles`; else Forbidden."""
    user = current_actor()
    if user.role not in roles:
        raise Forbidden("your role may not do this")
    return user
