"""One cell of a data package: its Python value, or why it cannot be one (in English and Chinese).

Each field kind of `matchmaker.packages.schema` has a coercer: text, numbers (``"85%"`` too),
dates, booleans (``是/否``), enumerations (any case), lists (JSON arrays, or ``;``-separated
text in CSV and xlsx), region, industry and credit codes, e-mail addresses, product codes and HS
subheadings.  The limits,
enumerations and patterns are the rules' (`matchmaker.rules`); the phrasing is the package's.
"""
import math
import re
from datetime import date, datetime
from typing import Callable

from matchmaker.infra.reference import normalize_industry
from matchmaker.rules import (DATE_TEXT, EARLIEST_DATE, LATEST_DATE, MAX_DAYS, MAX_QUANTITY, MIN_POSITIVE,
                              has_control_characters, is_email, is_hs_subheading, is_product_code,
                              reported_risk_zone)
from matchmaker.rules.creditcode import CHARSET, check_digit

__all__ = ["BadCell", "coercer", "region_code"]

_LIST_SPLIT = re.compile(r"[;；]")
_TRUE = {"true", "1", "yes", "是"}
_FALSE = {"false", "0", "no", "否"}


class BadCell(ValueError):
    """A cell that cannot be coerced; the message is what the user reads."""


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not value
    return False


def _text(value) -> str:
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadCell("must be text (应为文本)")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))  # an xlsx number cell holding a ref such as 1001
    else:
        text = str(value)
    if has_control_characters(text):
        raise BadCell("contains control characters (含控制字符)")
    return text


def _number(value) -> float:
    if isinstance(value, bool):
        raise BadCell("not a number (不是数字)")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise BadCell(f"not a number: {text[:40]!r} (不是数字)") from None
    else:
        raise BadCell("not a number (不是数字)")
    if not math.isfinite(number):
        raise BadCell("not a finite number (不是有限数字)")
    return number


def _bounded(number, f):
    if f.minimum is not None:
        if f.exclusive and number <= f.minimum:
            raise BadCell(f"must be greater than {f.minimum:g} (必须大于{f.minimum:g})")
        if f.exclusive and f.minimum == 0 and number < MIN_POSITIVE:
            raise BadCell(f"must be at least {MIN_POSITIVE:g} (不能小于{MIN_POSITIVE:g})")
        if number < f.minimum:
            if f.maximum is not None:
                raise BadCell(f"must be between {f.minimum:g} and {f.maximum:g} (必须在{f.minimum:g}到{f.maximum:g}之间)")
            raise BadCell("must not be negative (不能为负)")
    if f.maximum is not None and number > f.maximum:
        raise BadCell(f"must be between {f.minimum:g} and {f.maximum:g} (必须在{f.minimum:g}到{f.maximum:g}之间)")
    if number > MAX_QUANTITY:
        raise BadCell(f"must be at most {MAX_QUANTITY:g} (数值过大)")
    return number


def _coerce_number(value, f, tabular):
    return _bounded(_number(value), f)


def _coerce_integer(value, f, tabular):
    number = _number(value)
    if not number.is_integer():
        raise BadCell("must be a whole number (应为整数)")
    number = _bounded(number, f)
    if number > MAX_DAYS:
        raise BadCell(f"must be at most {MAX_DAYS} (数值过大)")
    return int(number)


def _coerce_date(value, f, tabular):
    return _in_date_range(_date_of(value))


def _date_of(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if DATE_TEXT.match(text):
                return date.fromisoformat(text)
            if len(text) > 10 and text[10] in "T " and DATE_TEXT.match(text[:10]):
                return datetime.fromisoformat(text).date()
        except ValueError:
            pass
        raise BadCell(f"not a date: {text[:40]!r}, use YYYY-MM-DD (日期格式应为YYYY-MM-DD)")
    raise BadCell("not a date, use YYYY-MM-DD (日期格式应为YYYY-MM-DD)")


def _in_date_range(day):
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        first, last = EARLIEST_DATE.isoformat(), LATEST_DATE.isoformat()
        raise BadCell(f"must be between {first} and {last} (日期应在{first}至{last}之间)")
    return day


def _coerce_bool(value, f, tabular):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise BadCell(f"not a boolean: {str(value)[:40]!r}; use true/false, 1/0, yes/no or 是/否 (应为是/否)")


def _coerce_text(value, f, tabular):
    return _text(value)


def _coerce_enum(value, f, tabular):
    text = _text(value).lower()
    if text not in f.choices:
        raise BadCell(f"{text[:40]!r} is not one of {', '.join(f.choices)} (取值无效)")
    return text


def _items(value, tabular) -> list:
    if isinstance(value, (list, tuple)) and not tabular:
        items = [_text(v) for v in value if not _is_empty(v)]
    elif isinstance(value, str):
        items = [v.strip() for v in _LIST_SPLIT.split(value)]
    else:
        raise BadCell("must be a list (JSON array, or ;-separated text) (应为列表)")
    return list(dict.fromkeys(v for v in items if v))


def _coerce_list(value, f, tabular):
    return _items(value, tabular)


def _coerce_enum_list(value, f, tabular):
    items = [v.lower() for v in _items(value, tabular)]
    for item in items:
        if f.name == "blockers" and reported_risk_zone([item]):
            raise BadCell("risk_zone is derived from the county's risk level and cannot be imported "
                       "(风险区由县的风险等级得出，不可导入)")
        if item not in f.choices:
            raise BadCell(f"{item[:40]!r} is not one of {', '.join(f.choices)} (取值无效)")
    return list(dict.fromkeys(items))


def region_code(value) -> str:
    """Six-digit GB/T 2260 code from the six-digit, short (23, 2301) or 12-digit form.

    >>> region_code("23"), region_code(2301), region_code("230102000000")
    ('230000', '230100', '230102')
    """
    if isinstance(value, bool):
        raise BadCell("not a region code (不是行政区划代码)")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if not text.isascii() or not text.isdigit():
        raise BadCell(f"{text[:20]!r} is not a region code: use 6 digits (or 2, 4 or 12) (不是行政区划代码)")
    if len(text) == 2:
        return text + "0000"
    if len(text) == 4:
        return text + "00"
    if len(text) == 6:
        return text
    if len(text) == 12:
        if text[6:] != "000000":
            raise BadCell(f"{text} is below county level; regions go down to counties (低于县级的区划代码)")
        return text[:6]
    raise BadCell(f"{text[:20]!r} is not a region code: use 6 digits (or 2, 4 or 12) (不是行政区划代码)")


def _coerce_region(value, f, tabular):
    return region_code(value)


def _coerce_industry(value, f, tabular):
    text = _text(value)
    canonical = normalize_industry(text)
    if canonical is None:
        raise BadCell(f"{text[:20]!r} is not a GB/T 4754-2017 code (e.g. C1441) or section letter "
                   "(不是国民经济行业分类代码)")
    return canonical


def _coerce_credit_code(value, f, tabular):
    code = _text(value).upper()
    if len(code) != 18:
        raise BadCell(f"must be 18 characters, not {len(code)} (统一社会信用代码应为18位)")
    bad = [c for c in code if c not in CHARSET]
    if bad:
        raise BadCell(f"character {bad[0]!r} is not allowed (含非法字符)")
    expected = check_digit(code[:17])
    if code[17] != expected:
        raise BadCell(f"check digit is wrong, expected {expected} (校验位错误)")
    return code


def _coerce_email(value, f, tabular):
    text = _text(value)
    if not is_email(text):
        raise BadCell(f"{text[:40]!r} is not an e-mail address (邮箱格式错误)")
    return text


def _coerce_product_code(value, f, tabular):
    text = _text(value)
    if not is_product_code(text):
        raise BadCell(f"{text[:40]!r} is not a product code: 1 to 40 characters without spaces "
                      "(产品代码应为1至40个字符，不含空格)")
    return text


def _coerce_hs(value, f, tabular):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1_000_000:
        value = f"{value:06d}"  # a number cell lost the leading zero (040110 -> 40110)
    text = _text(value)
    if len(text) == 5 and text.isascii() and text.isdigit():
        text = "0" + text  # so did a CSV saved by Excel (chapters 01 to 09)
    if not is_hs_subheading(text):
        raise BadCell(f"{text[:20]!r} is not an HS subheading: six digits, e.g. 040110 (HS编码应为6位数字)")
    return text


_COERCE = {
    "text": _coerce_text, "ref": _coerce_text, "enum": _coerce_enum, "region": _coerce_region,
    "number": _coerce_number, "integer": _coerce_integer, "date": _coerce_date, "bool": _coerce_bool,
    "list": _coerce_list, "enum_list": _coerce_enum_list, "industry": _coerce_industry,
    "credit_code": _coerce_credit_code, "email": _coerce_email, "product_code": _coerce_product_code,
    "hs": _coerce_hs,
}


def coercer(kind: str) -> Callable:
    """The function ``(value, field, tabular) -> value`` coercing a non-empty cell of this kind;
    it raises `BadCell`."""
    return _COERCE[kind]
