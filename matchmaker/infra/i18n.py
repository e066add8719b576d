"""Language selection: zh-CN by default, English by a remembered switch (cookie or user setting)."""
from flask import current_app, request, session
from flask_login import current_user


def select_locale():
    """The user's chosen language: session switch, then account setting, then zh_CN."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") or request.cookies.get("lang")
    if chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app, babel):
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
