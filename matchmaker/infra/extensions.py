"""Flask extensions, created unbound; `create_app` binds them. Flask-Migrate is made in
`create_app` and flask-smorest's Api in `matchmaker.api`: batch commands do without both.

The rate limiter and the CSRF protection serve requests only: they are made on first use
(module ``__getattr__``), so a batch command, which never touches them, does not import
flask-limiter (with limits and asyncio) nor Flask-WTF (with WTForms)."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from matchmaker.models.base import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
babel = Babel()


def _limiter():
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    return Limiter(key_func=get_remote_address, default_limits=[])


def _csrf():
    from flask_wtf import CSRFProtect

    return CSRFProtect()


_MADE_ON_FIRST_USE = {"limiter": _limiter, "csrf": _csrf}


def __getattr__(name):
    make = _MADE_ON_FIRST_USE.get(name)
    if make is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = globals()[name] = make()
    return made
