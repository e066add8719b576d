"""Who is asking: a bearer token (API) or the session (web); and the limits on guessing passwords.
Once known, the user is handed to the service layer as the acting user (`audit.set_acting_user`),
so services never read Flask."""
import hashlib

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user, user_logged_in, user_logged_out
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from matchmaker.infra.extensions import limiter, login_manager
from matchmaker.infra.http import BadJson, json_body
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
        user = g.actor
    else:
        header = request.headers.get("Authorization", "")
        user = None
        if header[:7].lower() == "bearer ":
            user = user_for_token(header[7:].strip())
            if user is None:
                raise Unauthorized("the bearer token is invalid or revoked")
        elif getattr(current_user, "is_authenticated", False):
            user = current_user._get_current_object()
            _check_session_csrf()
        g.actor = user
        set_acting_user(user)
    if user is None and required:
        raise Unauthorized("sign in or send a bearer token")
    return user


def signed_in_with_password(user):
    """The user has just proved who they are (a token sign-in, which has no session): they are the
    caller, and the actor of the writes that follow."""
    g.actor = user
    set_acting_user(user)


# --- authenticate before parsing -----------------------------------------------------------------

#: Blueprints of the API's own documentation (the OpenAPI document and its page): public.
_DOC_BLUEPRINTS = ("api-docs", "api_docs")


def _is_public(app, endpoint, method):
    """Whether an API operation may be called without signing in: its OpenAPI operation says
    `security: []` (sign-in, reference data), or it is the API's documentation. Anything else
    under /api/ needs a caller (fail closed). Unknown routes are public here: they 404/405 anyway."""
    cache = app.extensions.setdefault("matchmaker.public_operations", {})
    key = (endpoint, method)
    if key not in cache:
        view = app.view_functions.get(endpoint) if endpoint else None
        if view is None or method == "OPTIONS" or endpoint.split(".", 1)[0] in _DOC_BLUEPRINTS:
            cache[key] = True
        else:
            view_class = getattr(view, "view_class", None)
            handler = view
            if view_class is not None:
                handler = getattr(view_class, method.lower(), None)
                if handler is None and method == "HEAD":
                    handler = getattr(view_class, "get", None)
            doc = getattr(handler, "_apidoc", None) or {}
            cache[key] = doc.get("manual_doc", {}).get("security") == []
    return cache[key]


def authenticate_protected_operation():
    """Before anything reads an API request's body: a protected operation needs a valid bearer
    token or session (401; 403 for a session write without the CSRF token), so an anonymous caller
    costs no parsing or validation, whatever the body."""
    if not _is_public(current_app, request.endpoint, request.method):
        current_actor()


#: Pages that take a form from someone not signed in.
PUBLIC_PAGE_POSTS = ("account.login", "account.set_language", "account.logout")


def refuse_anonymous_page_posts():
    """A form posted to a page that needs sign-in by someone not signed in goes to the sign-in page
    before anything reads it: neither the CSRF check nor the view parses the body (an upload to the
    import page is not even spooled to disk)."""
    if request.method != "POST" or request.endpoint is None or request.path.startswith("/api/"):
        return None
    if request.endpoint in PUBLIC_PAGE_POSTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _check_session_csrf():
    """A session-authenticated API write must carry the CSRF token (X-CSRFToken header); the API
    blueprints are exempt from form CSRF because bearer tokens are never sent by a browser on its own."""
    if request.method in _SAFE_METHODS or not request.path.startswith("/api/"):
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
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


# --- limits on password guessing -------------------------------------------------------------------
#
# Sign-in (page and API) and the password change check a password, so they share two budgets of
# FAILED attempts: one per client address (RATELIMIT_LOGIN) and one per account, whatever the
# address (RATELIMIT_LOGIN_ACCOUNT). A successful sign-in costs nothing, so an office behind one
# address never locks itself out by signing in. The budgets are checked before any password is
# hashed (a refused attempt costs no Argon2 work) and counted after the answer, in the limiter's
# storage (RATELIMIT_STORAGE_URI: memory by default, Redis to share them between processes).

def note_failed_password():
    """Count this request against the sign-in budgets (a wrong password or unknown account)."""
    g.sign_in_failed = True


def _failed(response):
    """flask-limiter deduct_when: only attempts noted as failed cost budget."""
    return bool(g.get("sign_in_failed"))


def _address_budget():
    return current_app.config.get("RATELIMIT_LOGIN", "10 per minute")


def _account_budget():
    return current_app.config.get("RATELIMIT_LOGIN_ACCOUNT", "5 per minute; 30 per hour")


def _account_key(email):
    """A storage key for an account's budget (a digest: the store never holds e-mail addresses)."""
    email = email.strip().lower()[:200] if isinstance(email, str) else ""
    return "account-" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32]


def _typed_account_key():
    """The account a sign-in names: the e-mail of the form or of the JSON body."""
    if request.mimetype == "application/json":
        try:
            body = json_body()
        except BadJson:
            body = None
        return _account_key(body.get("email") if isinstance(body, dict) else None)
    return _account_key(request.form.get("email"))


def _own_account_key():
    """The account of the signed-in caller (password change)."""
    user = current_actor(required=False)
    return _account_key(user.email if user is not None else None)


def _budgets(account_key):
    address = limiter.shared_limit(_address_budget, scope="sign-in-address", key_func=get_remote_address,
                                   deduct_when=_failed, methods=["POST"])
    account = limiter.shared_limit(_account_budget, scope="sign-in-account", key_func=account_key,
                                   deduct_when=_failed, methods=["POST"])

    def decorate(view):
        return address(account(view))

    return decorate


#: Decorator for the sign-in views (page and token API): POSTs spend the budgets on failure.
sign_in_limits = _budgets(_typed_account_key)
#: Decorator for the password-change views: a wrong current password spends the same budgets.
password_limits = _budgets(_own_account_key)


# --- limits on speculative best-partner queries ---------------------------------------------------
#
# Best partners answer from the index without a run, so a firm could post throwaway postings and
# page through every counterpart. Each signed-in account gets RATELIMIT_BEST_PARTNERS queries
# (default 30 per minute, 300 per hour), page and API alike, counted in the limiter's storage.

def _partners_budget():
    return current_app.config.get("RATELIMIT_BEST_PARTNERS", "30 per minute; 300 per hour")


def _caller_key():
    user = current_actor(required=False)
    return f"user-{user.id}" if user is not None else "anonymous-" + get_remote_address()


#: Decorator for the best-partner views (page and API).
partner_query_limits = limiter.shared_limit(_partners_budget, scope="best-partners", key_func=_caller_key)
