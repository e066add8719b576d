"""Language selection: zh-CN by default, English by a remembered switch (cookie or user setting);
API callers also by their request's Accept-Language."""
from flask import current_app, g, request, session
from flask_login import current_user


def select_locale():
    """The user's chosen language.

    Pages: the session switch (or its cookie), then the account setting, then zh_CN.  The API
    (and the pages' own JSON calls) says its messages in: the session switch, the account's
    setting, the request's Accept-Language, then zh_CN."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") or request.cookies.get("lang")
    if chosen in languages:
        return chosen
    user = g.get("actor") or current_user
    if getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
        asked = request.accept_languages.best_match(_accepted(languages))
        if asked:
            return _accepted(languages)[asked]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _accepted(languages) -> dict:
    """Accept-Language tags -> the configured locale they select (zh, zh-CN, zh-Hans -> zh_CN)."""
    tags = {}
    for code in languages:
        tags[code.replace("_", "-")] = code
        tags.setdefault(code.split("_")[0], code)
    if any(code.startswith("zh") for code in languages):
        zh = next(code for code in languages if code.startswith("zh"))
        tags.setdefault("zh-Hans", zh)
        tags.setdefault("zh-Hans-CN", zh)
    return tags


def init_i18n(app, babel):
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
