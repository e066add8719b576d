"""Shared pieces of the pages: role guards, pagination, number and date filters, form errors."""
import math
from datetime import date, datetime
from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import abort, flash, g, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import Undefined

from matchmaker.infra.extensions import login_manager
from matchmaker.infra.labels import label, message
from matchmaker.services import categories, products

PER_PAGE = 20


def init_templates(app):
    """Template filters (dates and numbers for the user's language) and the login redirect."""
    login_manager.login_view = "account.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.jinja_env.filters.update(fdate=fdate, fdatetime=fdatetime, fnum=fnum, fpct=fpct, tr=tr, msg=msg,
                                 lang_part=lang_part, cat=cat, prod=prod, goods=goods, qty=qty, unit=unit)
    app.jinja_env.globals.update(is_en=is_en, now_date=date.today)


def is_en():
    """Whether the page is being shown in English."""
    loc = get_locale()
    return loc is not None and loc.language == "en"


def fdate(value, fmt="medium"):
    """A date (or ISO date text) in the user's language; '' for None."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return format_date(value, fmt)


def fdatetime(value, fmt="medium"):
    """A date and time in the user's language; '' for None."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return format_datetime(value, fmt)


def fnum(value, digits=1):
    """A number with grouping, at most `digits` decimals, in the user's language."""
    if value is None or value == "" or isinstance(value, Undefined):
        return ""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(value):
        return ""
    return format_decimal(round(value, digits), format="#,##0" + ("." + "#" * digits if digits else ""))


def fpct(value):
    """A 0..1 share as a percentage in the user's language."""
    if value is None or value == "" or isinstance(value, Undefined):
        return ""
    return format_percent(float(value), format="#,##0%")


def tr(code, group=None):
    """The user-language name of a code (factor, kind, level, term, status...); the code if unknown."""
    return label(code, group)


def _names(key, load):
    """A code -> (name, English name, unit) table, read once per request and kept on `g`."""
    names = g.get(key)
    if names is None:
        names = load()
        setattr(g, key, names)
    return names


def _name_of(found):
    name, name_en, _unit = found
    return name_en if is_en() and name_en else name


def cat(code):
    """A category code with its name in the user's language, e.g. 'C1 钢材' (names cached per request)."""
    if not code:
        return ""
    found = _names("_category_names", categories.category_names).get(code)
    return code if found is None else f"{code} {_name_of(found)}"


def prod(code):
    """A product's name in the user's language, e.g. '生鲜乳' or 'raw milk' (names cached per request);
    the code when it is unknown, '' for none."""
    if not code:
        return ""
    found = _names("_product_names", products.product_names).get(code)
    return code if found is None else _name_of(found)


def goods(category_code, product_code=None):
    """What a posting or link trades: its category, and its product when it names one."""
    text = cat(category_code)
    return f"{text} · {prod(product_code)}" if product_code else text


def unit(code):
    """A unit of quantity in the user's language (吨 for t); the code when it has no name."""
    return label(code, "unit") if code else ""


def qty(value, unit_code=None, digits=1):
    """A quantity with its unit, e.g. '1,200 t' ('' for none)."""
    number = fnum(value, digits)
    if number == "" or not unit_code:
        return number
    return f"{number} {unit(unit_code)}"


def lang_part(text):
    """The user's half of a bilingual "中文 / English" text (the whole text when it has no ' / ')."""
    if not text or " / " not in str(text):
        return text or ""
    zh, en = str(text).split(" / ", 1)
    return en if is_en() else zh


def msg(text):
    """A service message in the user's language (plain text, so the page escapes it)."""
    return message(text if isinstance(text, str) else str(text)) if text is not None else ""


# --- guards -----------------------------------------------------------------------------------

def role_required(*roles, kinds=None):
    """View decorator: signed in, with one of `roles` (and, for firm users, a firm of one of `kinds`)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            if kinds and current_user.role == "firm" and (current_user.firm is None or current_user.firm.kind not in kinds):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def safe_next(target, default="/"):
    """A redirect target only if it stays on this site (a relative path)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# --- pagination --------------------------------------------------------------------------------

class Page:
    """One page of a list: items, the page number, and links to the neighbours."""

    def __init__(self, items, page, per_page, total):
        self.items = items
        self.page = page
        self.per_page = per_page
        self.total = total
        self.pages = max(1, math.ceil(total / per_page)) if per_page else 1

    @property
    def has_prev(self):
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self):
        """Whether there is a page after this one."""
        return self.page < self.pages

    def url_for_page(self, number):
        """The current URL with page=number (other query arguments kept)."""
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return request.path + "?" + urlencode(args, doseq=True)


def paginate(items, per_page=PER_PAGE, arg="page"):
    """Cut a list into the page the request asks for (?page=N, 1-based, clamped)."""
    items = list(items)
    try:
        page = int(request.args.get(arg, 1))
    except ValueError:
        page = 1
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Page(items[start:start + per_page], page, per_page, len(items))


# --- service errors onto form fields -----------------------------------------------------------

def apply_errors(form, exc, field_map=None):
    """Put a service's Invalid/Conflict field messages next to the form's fields; the rest on the form.

    Returns the messages that belong to no field (to show at the top of the form).
    """
    field_map = field_map or {}
    rest = []
    errors = getattr(exc, "errors", None) or {}
    for name, msgs in errors.items():
        if isinstance(msgs, str):
            msgs = [msgs]
        elif isinstance(msgs, dict):
            msgs = [m for sub in msgs.values() for m in (sub if isinstance(sub, list) else [sub])]
        target = getattr(form, field_map.get(name, name), None)
        texts = [message(m) if isinstance(m, str) else message(str(m)) for m in msgs]
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors or []) + texts
        else:
            rest.extend(texts)
    if not errors:
        rest.append(message(getattr(exc, "message", str(exc))))
    return rest


def flash_error(exc):
    """Flash a service error in the user's language."""
    flash(message(getattr(exc, "message", str(exc))), "error")


def ok(text):
    """Flash a success message."""
    flash(text, "success")
