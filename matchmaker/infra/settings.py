"""Settings for code below the web layer: one configured value, read from the running app's config.

Services read their settings here (never from ``flask.current_app``), so they stay free of
Flask and still follow ``MATCHMAKER_<NAME>`` overrides (see :mod:`matchmaker.infra.config`).
"""
from typing import Any

from flask import current_app, has_app_context

__all__ = ["setting"]


def setting(name: str, default: Any = None) -> Any:
    """The configured value of `name`; `default` when it is unset or no application is running."""
    if has_app_context():
        value = current_app.config.get(name)
        if value is not None:
            return value
    return default
