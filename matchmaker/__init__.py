"""Supply-chain matchmaking service (产业链"手拉手"撮合)."""
import contextlib
import gc
import os
import secrets
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

# The register_* steps import the layers when an app is built, not when `matchmaker` is imported:
# every module of the service lives under this package, so importing them here would load the
# whole application (and its extensions) for `import matchmaker.rules`, and make the layers'
# own `from matchmaker import ...` imports circular.


def create_app(config=None, *, web=True, commands=True):
    """Application factory; `config` is a config class, a dict of overrides, or None.

    `web=False` builds the app of a batch command (matching, the weekly report, imports): no web
    pages, no API and no schema migrations, so it starts without importing them. `commands=False`
    leaves the CLI commands off `app.cli` (the `matchmaker` console script resolves them itself).
    """
    with collector_paused():
        return _create_app(config, web, commands)


@contextlib.contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for a while: building the app (and a command's first
    imports) allocates tens of thousands of long-lived objects (modules, classes, mappers), and a
    matching run hundreds of thousands of acyclic ones (rows, records, reasons), which the collector
    would walk again and again for nothing (a tenth of a start, a third of a run's load and result)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _create_app(config, web, commands):
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    configure_app(app, config)
    register_extensions(app, web)
    if web:
        register_http(app)
    if web:
        register_blueprints(app)
    register_errorhandlers(app)
    if commands:
        register_commands(app)
    register_tasks(app)
    return app


def configure_app(app, config):
    from matchmaker.infra.config import Config

    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.from_object(Config)
    app.config.from_pyfile("matchmaker.cfg", silent=True)
    if isinstance(config, dict):
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "matchmaker.sqlite")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri[len("postgres://"):]
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        # SQLite: no pre-ping needed; wait on a locked file instead of failing at once.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    _configure_shared_stores(app)


def _configure_shared_stores(app):
    """Rate limits in Redis when REDIS_URL is set (unless RATELIMIT_STORAGE_URI names a store), else
    in memory; with Redis, an unreachable server falls back to per-process counters, not to none."""
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    if not app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)


def _instance_secret(app):
    """A random secret kept in the instance folder, so sessions survive restarts."""
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


def register_extensions(app, web=True):
    from matchmaker import models  # noqa: F401  (every model registered on the metadata)
    from matchmaker.infra.extensions import babel, db, login_manager

    db.init_app(app)
    if web:
        # Alembic, the rate limiter and CSRF serve the web service, not batch commands
        from flask_migrate import Migrate
        from matchmaker.infra.extensions import csrf, limiter

        Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
        csrf.init_app(app)
        limiter.init_app(app)
    login_manager.init_app(app)
    from matchmaker.infra.cache import init_cache

    init_cache(app)
    from matchmaker.infra.i18n import init_i18n

    init_i18n(app, babel)
    from matchmaker.infra.viewcache import init_view_cache

    init_view_cache(app)
    import matchmaker.services.support.audit  # noqa: F401  (installs the flush hook)
    from matchmaker.infra.sqlite import install_sqlite_pragmas

    install_sqlite_pragmas(app)


def register_http(app):
    from matchmaker.infra.http import register_http as _register

    _register(app)


def register_blueprints(app):
    from matchmaker.api import register_api
    from matchmaker.web import register_web

    register_api(app)
    register_web(app)


def register_errorhandlers(app):
    from matchmaker.infra.errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app):
    from matchmaker.cli import register_cli

    register_cli(app)


def register_tasks(app):
    """The task queue (Celery, as Flask's documentation sets it up): queued to workers when a broker
    is configured (BROKER_URL or REDIS_URL), else the same tasks run in this process."""
    from matchmaker.infra.queue import init_queue

    init_queue(app)
