"""HTTP-level protections: security headers (CSP without inline script, no caching of anything
but static files), cookies marked Secure behind TLS, the client address taken from a trusted proxy
only when one is configured, and API requests authenticated before their bodies are read, which are
then capped in size and parsed safely."""
import json

from flask import Request, current_app, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from matchmaker.infra.errors import error_response
from matchmaker.infra.jsonresponse import FastJSONProvider
from matchmaker.services.support.audit import set_acting_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class CappedRequest(Request):
    """A request whose body cap depends on where it goes: API_MAX_CONTENT_LENGTH under /api/ (JSON
    records are small), MAX_CONTENT_LENGTH elsewhere (the admin's package upload). Reading a larger
    body raises 413."""

    @property
    def max_content_length(self):
        if self._max_content_length is None and self.path.startswith("/api/") and current_app:
            cap = current_app.config.get("API_MAX_CONTENT_LENGTH")
            if cap:
                return cap
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value


class TlsAwareSessionInterface(SecureCookieSessionInterface):
    """Session cookie marked Secure whenever the request came over TLS (or config forces it); its
    signing serializer kept."""

    def get_cookie_secure(self, app):
        forced = super().get_cookie_secure(app)
        return bool(forced or (has_request_context() and request.is_secure))

    def get_signing_serializer(self, app):
        """Flask's serializer of the session cookie, made once per secret key and fallbacks rather
        than on every request (it keeps no state of its own between uses)."""
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self.__dict__.get("_serializer")
        if kept is None or kept[0] != key:
            kept = self._serializer = (key, super().get_signing_serializer(app))
        return kept[1]


# --- JSON bodies --------------------------------------------------------------------------------

MAX_JSON_DEPTH = 32


class BadJson(ValueError):
    """A request body that is not JSON the service will read (the message says why)."""


def _too_deep(value, limit):
    """Whether arrays and objects nest deeper than `limit` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _parse_json(data: bytes):
    """The value of a JSON document, or BadJson: not UTF-8, malformed, nested deeper than
    MAX_JSON_DEPTH (json.loads itself recurses and would exhaust the stack on 100,000 `[`), or an
    integer longer than Python converts (4,300 digits)."""
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadJson("the body is not UTF-8") from None
    except RecursionError:
        raise BadJson(f"the body nests arrays or objects deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # json.JSONDecodeError, or an integer with too many digits
        raise BadJson(f"the body is not valid JSON: {str(exc)[:200]}") from None
    # Cheap first: nesting needs at least as many brackets as levels.
    if isinstance(value, (dict, list)) and data.count(b"[") + data.count(b"{") > MAX_JSON_DEPTH:
        if _too_deep(value, MAX_JSON_DEPTH):
            raise BadJson(f"the body nests arrays or objects deeper than {MAX_JSON_DEPTH} levels")
    return value


def json_body():
    """This request's JSON body, parsed once per request (None when there is no body); BadJson when
    it cannot be read. The size cap (MAX_CONTENT_LENGTH) applies first: 413."""
    if "_json_body" not in g:
        data = request.get_data(cache=True)
        try:
            g._json_body = (True, _parse_json(data) if data.strip() else None)
        except BadJson as exc:
            g._json_body = (False, str(exc))
    ok, value = g._json_body
    if not ok:
        raise BadJson(value)
    return value


def register_http(app):
    """Install the session interface, the responses' JSON encoder, proxy handling and the security headers."""
    app.session_interface = TlsAwareSessionInterface()
    app.json = FastJSONProvider(app)
    # X-Forwarded-For/-Proto/-Host are trusted only when the operator says how many proxies stand
    # in front (MATCHMAKER_PROXY_COUNT); otherwise anyone could invent a client address per request
    # and walk around the per-address sign-in limit.
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=1, x_host=1)

    def _forget_previous_caller():
        # `g` lives as long as the app context, and a test (or any code that pushes one context
        # for many requests) would otherwise keep the previous request's user: a revoked token
        # or another user's session would still be honoured.
        for name in ("actor", "_login_user", "_json_body", "sign_in_failed"):
            g.pop(name, None)
        set_acting_user(None)

    # imported here, not at the top: infra.security reads bodies with this module's json_body
    from matchmaker.infra.security import authenticate_protected_operation, refuse_anonymous_page_posts

    def _refuse_anonymous_page_posts():
        return refuse_anonymous_page_posts()

    # First of all before-request hooks, ahead of the rate limiter's (it reads the caller) and the
    # CSRF check's (it parses the form), both registered earlier with their extensions.
    app.before_request_funcs.setdefault(None, [])[:0] = [_forget_previous_caller, _refuse_anonymous_page_posts]

    @app.teardown_request
    def _forget_caller(exc):
        # Writes after the request (a test's own code, the next job on this thread) are not the user's.
        set_acting_user(None)

    app.request_class = CappedRequest

    @app.before_request
    def _api_request():
        """An API request: a protected operation authenticates first (401 before anything reads,
        parses or validates the body), then a JSON body must be readable (400, the one shape)."""
        if not request.path.startswith("/api/"):
            return None
        authenticate_protected_operation()
        if request.method in _BODY_METHODS and _is_json(request.mimetype):
            try:
                json_body()
            except BadJson as exc:
                return error_response(400, str(exc), {"_json": [str(exc)]})
        return None

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not _static(request.endpoint):
            # Pages and API answers carry firms' data and CSRF tokens: no browser or proxy keeps them.
            response.headers["Cache-Control"] = "no-store"
        return response


_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _is_json(mimetype):
    """application/json or application/*+json (what the API's parser reads as JSON)."""
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _static(endpoint):
    """Whether an endpoint serves static files (CSS, JavaScript, the vendored API docs)."""
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))
