"""Who is asking: a bearer token (API) or the session (web). Once known, the user is handed to
the service layer as the acting user (`audit.set_acting_user`), so services never read Flask."""
from flask import g, request
from flask_login import current_user, user_logged_in, user_logged_out

from matchmaker.infra.extensions import login_manager
from matchmaker.services.auth import user_for_session, user_for_token
from matchmaker.services.support.audit import acting_user, set_acting_user
from matchmaker.services.support.errors import Forbidden, Unauthorized


@login_manager.user_loader
def _load_user(session_id):
    """flask-login: the active user of a session id "<user id>:<session version>", or None once
    that user's sessions have been ended (sign-out anywhere, password change, deactivation)."""
    return _acting(user_for_session(session_id))


def _acting(user):
    """Hand the session's user to the service layer as the acting user (a bearer token's user,
    found first, stays the actor); returns the user."""
    if acting_user() is None:
        set_acting_user(user)
    return user


@user_logged_in.connect
def _signed_in(sender, user, **extra):
    """Writes after the sign-in are the user's."""
    set_acting_user(user)


@user_logged_out.connect
def _signed_out(sender, user, **extra):
    """Writes after the sign-out are nobody's."""
    set_acting_user(None)


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
    set_acting_user(user)
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
