"""Limits and patterns of single values: how long a text may be, which characters it may hold,
how large a number may be, what a region code, an e-mail address and a credit code look like.

Pure functions of one value; the services (through `matchmaker.rules.checks`), the API schemas
and the data-package validator all read them.
"""
import re
from datetime import date
from typing import Optional

from matchmaker.rules import creditcode

__all__ = [
    "CONTROL", "DATE_TEXT", "EARLIEST_DATE", "EMAIL", "LATEST_DATE", "MIN_POSITIVE", "FIRM_REGION_LEVEL", "MAX_DAYS", "MAX_ID", "MAX_LENGTH", "MAX_QUANTITY",
    "MAX_RADIUS_KM", "PACKAGE_MAX_LENGTH", "REGION_CODE", "SECTION_MAX_LENGTH", "credit_code_valid",
    "has_control_characters", "is_email", "is_phone", "is_storable_text", "is_unicode", "normalise_region_code",
]

#: Primary keys are 32-bit on PostgreSQL; a larger id (or version) cannot exist.
MAX_ID = 2**31 - 1
#: Bounds that keep every stored number meaningful and inside what both databases hold.
MAX_QUANTITY = 1e12
MAX_DAYS = 36500
#: The smallest positive quantity or price: the matcher works in thousandths (spec/matching.md),
#: so a smaller one (1e-320, say) could never be matched or paid.
MIN_POSITIVE = 0.001
#: Dates a posting, a link or a run may carry (0001-01-01 and 9999-12-31 are typing accidents).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
#: A date as text: YYYY-MM-DD only (Python also reads 2020-W18-1 and 20200316 as dates).
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: How far an offering firm may say it delivers (an offer's delivery_radius_km).
MAX_RADIUS_KM = 50000

#: Longest text each field may hold (the columns' sizes), by field name.
MAX_LENGTH = {
    "ref": 64, "firm": 64, "supplier": 64, "buyer": 64, "category": 32, "name": 200, "park": 200,
    "contact_email": 200, "contact_person": 100, "contact_phone": 40, "email": 200, "industry": 10, "credit_code": 18, "unit": 20, "note": 4000,
    "password": 1000, "region": 12, "link": 64, "delivery": 64, "product": 40, "name_zh": 200, "name_en": 200,
}
#: A data package may carry longer notes than a page or the API accepts.
PACKAGE_MAX_LENGTH = {**MAX_LENGTH, "note": 10000}
#: Package fields shorter than the field of the same name elsewhere.
SECTION_MAX_LENGTH = {("regions", "name"): 100, ("categories", "code"): 32}

#: Control characters (NUL breaks PostgreSQL; the others are never typed on purpose).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: An e-mail address, as far as a form can tell.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: A telephone number as people write it: digits, with +, spaces, dashes, dots, parentheses, an extension.
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,30}([ ]?(ext\.?|x|转)[ ]?[0-9]{1,6})?$")
#: The written forms of a GB/T 2260 code: 6 digits, or the short 2 and 4 or the long 12.
REGION_CODE = re.compile(r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{12})$")
#: The level of region a firm is registered in.
FIRM_REGION_LEVEL = "county"


def has_control_characters(text: str) -> bool:
    """Whether a text holds a control character (tab, newline and carriage return are fine).

    >>> has_control_characters("a\\tb\\nc"), has_control_characters("a\\x00b")
    (False, True)
    """
    return CONTROL.search(text) is not None


def is_unicode(text: str) -> bool:
    """Whether a text can be encoded as UTF-8 (no lone surrogates).

    >>> is_unicode("长春"), is_unicode("\\ud800")
    (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_storable_text(value, max_len: int) -> bool:
    """Whether a value is text both databases store as given: at most max_len characters, no
    control characters or lone surrogates.  Look-ups by a caller's text check this first.

    >>> is_storable_text("F-1", 64), is_storable_text("F\\x00", 64), is_storable_text(7, 64)
    (True, False, False)
    """
    return (isinstance(value, str) and len(value) <= max_len and not has_control_characters(value)
            and is_unicode(value))


def is_phone(text: str) -> bool:
    """Whether a text looks like a telephone number (at least five digits).

    >>> is_phone("0451-8888 6666"), is_phone("+86 138 0013 8000"), is_phone("call me"), is_phone("12")
    (True, True, False, False)
    """
    return bool(PHONE.match(text)) and sum(c.isdigit() for c in text) >= 5


def is_email(text: str) -> bool:
    """Whether a text looks like an e-mail address.

    >>> is_email("li@example.cn"), is_email("not an address")
    (True, False)
    """
    return EMAIL.match(text) is not None


def normalise_region_code(code) -> Optional[str]:
    """Six-digit GB/T 2260 code from the short (23, 2301) or 12-digit forms; None if not a code.

    >>> normalise_region_code("23"), normalise_region_code(2301), normalise_region_code("230102000000")
    ('230000', '230100', '230102')
    >>> normalise_region_code("长春") is None
    True
    """
    code = str(code or "").strip()
    if not code.isdigit() or not code.isascii():
        return None
    if len(code) == 2:
        return code + "0000"
    if len(code) == 4:
        return code + "00"
    if len(code) == 12:
        return code[:6]
    return code if len(code) == 6 else None


def credit_code_valid(code) -> bool:
    """Whether a unified social credit code passes its GB 32100-2015 check digit (any case).

    >>> credit_code_valid("91350100m000100y43"), credit_code_valid("91350100M000100Y44")
    (True, False)
    """
    return isinstance(code, str) and creditcode.is_valid(code.upper())
