"""REST API under /api/v1 (flask-smorest). Each module defines `blp`; add new modules to MODULES."""
import importlib

from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint

from matchmaker.api.health import bp as health_bp
from matchmaker.infra.extensions import csrf

#: the API and its OpenAPI document (bound to the app by register_api: batch commands, built
#: without the API, never import flask-smorest)
api = Api()

MODULES = (
    "firms", "needs", "offers", "links", "link_requests", "regions", "categories", "products", "auth", "docs",  # core API
    "pairings",  # matcher
    "reports",  # chain-break report
    "agenda",  # the dispatch meeting's agenda (issue 12)
    "ledger",  # article-10 orders, deliveries, payments
    "audit",
    "monitoring",  # risk zones (article 2) and resumption monitoring (article 13)
    "help", "alternates", "survival",  # article 10: help to SMEs, alternates and time to survive per break
    "notifications",  # the inbox and e-mail settings (issue 13)
)


def register_api(app):
    """Bind the API to the app and register every module's blueprint under /api/v1."""
    api.init_app(app)
    for name in MODULES:
        module = importlib.import_module(f"matchmaker.api.{name}")
        prefix = f"/api/v1{getattr(module, 'URL_PREFIX', '')}"
        if isinstance(module.blp, ApiBlueprint):
            api.register_blueprint(module.blp, url_prefix=prefix)
        else:  # a plain Flask blueprint (the docs page): served, not documented
            app.register_blueprint(module.blp, url_prefix=prefix)
    # Every operation needs a bearer token unless it says `security: []` (public reference data).
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    # Token-authenticated API: no CSRF (browsers never send a bearer token on their own).
    for name in MODULES:
        csrf.exempt(importlib.import_module(f"matchmaker.api.{name}").blp)
    # Health check outside the versioned API (for load balancers and monitoring).
    app.register_blueprint(health_bp)
