"""Server-rendered pages (Jinja in the top-level templates/)."""
import importlib

MODULES = (
    # "views",  (web helper)
)


def register_web(app):
    for name in MODULES:
        app.register_blueprint(importlib.import_module(f"matchmaker.web.{name}").bp)
