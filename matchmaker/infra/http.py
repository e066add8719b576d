"""HTTP-level protections: security headers (CSP without inline script), cookies marked Secure
behind TLS, and the client address taken from a trusted proxy."""
from flask import g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

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


class TlsAwareSessionInterface(SecureCookieSessionInterface):
    """Session cookie marked Secure whenever the request came over TLS (or config forces it)."""

    def get_cookie_secure(self, app):
        forced = super().get_cookie_secure(app)
        return bool(forced or (has_request_context() and request.is_secure))


def register_http(app):
    """Install the session interface, proxy handling and the security headers."""
    app.session_interface = TlsAwareSessionInterface()
    if app.config.get("PROXY_FIX", 1):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    @app.before_request
    def _forget_previous_caller():
        # `g` lives as long as the app context, and a test (or any code that pushes one context
        # for many requests) would otherwise keep the previous request's user: a revoked token
        # or another user's session would still be honoured.
        g.pop("actor", None)
        g.pop("_login_user", None)
        set_acting_user(None)

    @app.teardown_request
    def _forget_caller(exc):
        # Writes after the request (a test's own code, the next job on this thread) are not the user's.
        set_acting_user(None)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
