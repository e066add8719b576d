"""Who is asking: a bearer token (API) or the session (web)."""
from flask import g, request
from flask_login import current_user

from matchmaker.infra.extensions import login_manager
from matchmaker.services.auth import user_for_session, user_for_token
from matchmaker.services.support.errors import Forbidden, Unauthorized


@login_manager.user_loader
def _load_user(session_id):
    """flask-login: the active user of a session id "<user id>:<session version>", or None once
    that user's sessions have been ended (sign-out anywhere, password change, deactivation)."""
    return user_for_session(session_id)


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
        _check_session_csrf()
    if user is None and required:
        raise Unauthorized("sign in or send a bearer token")
    g.actor = user
    return user


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _check_session_csrf():
    """A session-authenticated API write must carry the CSRF token (X-CSRFToken header); the API
    blueprints are exempt from form CSRF because bearer tokens are never sent by a browser on its own."""
    from flask import current_app

    if request.method in _SAFE_METHODS or not request.path.startswith("/api/"):
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    try:
        validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
    except ValidationError:
        raise Forbidden("a signed-in browser must send the CSRF token (X-CSRFToken) with API writes") from None


def require_role(*roles):
    """The current user, if their role is one of `roles`; else Forbidden."""
    user = current_actor()
    if user.role not in roles:
        raise Forbidden("your role may not do this")
    return user
