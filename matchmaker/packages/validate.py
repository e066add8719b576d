"""Validate and coerce a read package: every rule of `data-package.md`, every error collected.

`validate(raw, stored)` returns ``(package, problems)``: the package as
``{section: [(row, {field: python value})]}`` (empty cells replaced by their defaults) and a
list of `Problem`s, empty when the package may be imported. `stored` tells what the database
already holds, so references may resolve to it and credit codes stay unique.
"""
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from matchmaker.packages.creditcode import CHARSET, check_digit
from matchmaker.packages.problems import Problem
from matchmaker.packages.readers import TABULAR, RawPackage
from matchmaker.packages.schema import KEY, SECTION_ORDER, SECTIONS
from matchmaker.infra.reference import normalize_industry

# Bounds that keep every stored number meaningful (and inside what both databases hold).
MAX_NUMBER = 1e12
MAX_DAYS = 36500
#: Longest text each field may hold (the columns' sizes).
MAX_LENGTH = {
    "ref": 64, "name": 200, "park": 200, "contact_email": 200, "unit": 20,
    "firm": 64, "supplier": 64, "buyer": 64, "category": 32, "note": 10000,
}
MAX_LENGTH_BY_SECTION = {("regions", "name"): 100, ("categories", "code"): 32}
LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIST_SPLIT = re.compile(r"[;；]")
_TRUE = {"true", "1", "yes", "是"}
_FALSE = {"false", "0", "no", "否"}


@dataclass
class Stored:
    """What the database already holds, as far as validation needs it."""

    region_levels: dict = field(default_factory=dict)  # code -> level
    category_codes: set = field(default_factory=set)
    firm_refs: set = field(default_factory=set)
    credit_codes: dict = field(default_factory=dict)  # credit code -> firm ref


class _Bad(ValueError):
    """A cell that cannot be coerced; the message is what the user reads."""


# --- cell coercion ------------------------------------------------------------------------------

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
        raise _Bad("must be text (应为文本)")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))  # an xlsx number cell holding a ref such as 1001
    else:
        text = str(value)
    if _CONTROL.search(text):
        raise _Bad("contains control characters (含控制字符)")
    return text


def _number(value) -> float:
    if isinstance(value, bool):
        raise _Bad("not a number (不是数字)")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise _Bad(f"not a number: {text[:40]!r} (不是数字)") from None
    else:
        raise _Bad("not a number (不是数字)")
    if not math.isfinite(number):
        raise _Bad("not a finite number (不是有限数字)")
    return number


def _bounded(number, f):
    if f.minimum is not None:
        if f.exclusive and number <= f.minimum:
            raise _Bad(f"must be greater than {f.minimum:g} (必须大于{f.minimum:g})")
        if number < f.minimum:
            if f.maximum is not None:
                raise _Bad(f"must be between {f.minimum:g} and {f.maximum:g} (必须在{f.minimum:g}到{f.maximum:g}之间)")
            raise _Bad("must not be negative (不能为负)")
    if f.maximum is not None and number > f.maximum:
        raise _Bad(f"must be between {f.minimum:g} and {f.maximum:g} (必须在{f.minimum:g}到{f.maximum:g}之间)")
    if number > MAX_NUMBER:
        raise _Bad(f"must be at most {MAX_NUMBER:g} (数值过大)")
    return number


def _coerce_number(value, f, tabular):
    return _bounded(_number(value), f)


def _coerce_integer(value, f, tabular):
    number = _number(value)
    if not number.is_integer():
        raise _Bad("must be a whole number (应为整数)")
    number = _bounded(number, f)
    if number > MAX_DAYS:
        raise _Bad(f"must be at most {MAX_DAYS} (数值过大)")
    return int(number)


def _coerce_date(value, f, tabular):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            if len(text) > 10 and text[10] in "T ":
                return datetime.fromisoformat(text).date()
        except ValueError:
            pass
        raise _Bad(f"not a date: {text[:40]!r}, use YYYY-MM-DD (日期格式应为YYYY-MM-DD)")
    raise _Bad("not a date, use YYYY-MM-DD (日期格式应为YYYY-MM-DD)")


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
    raise _Bad(f"not a boolean: {str(value)[:40]!r}; use true/false, 1/0, yes/no or 是/否 (应为是/否)")


def _coerce_text(value, f, tabular):
    return _text(value)


def _coerce_enum(value, f, tabular):
    text = _text(value).lower()
    if text not in f.choices:
        raise _Bad(f"{text[:40]!r} is not one of {', '.join(f.choices)} (取值无效)")
    return text


def _items(value, tabular) -> list:
    if isinstance(value, (list, tuple)) and not tabular:
        items = [_text(v) for v in value if not _is_empty(v)]
    elif isinstance(value, str):
        items = [v.strip() for v in _LIST_SPLIT.split(value)]
    else:
        raise _Bad("must be a list (JSON array, or ;-separated text) (应为列表)")
    return list(dict.fromkeys(v for v in items if v))


def _coerce_list(value, f, tabular):
    return _items(value, tabular)


def _coerce_enum_list(value, f, tabular):
    items = [v.lower() for v in _items(value, tabular)]
    for item in items:
        if item == "risk_zone" and f.name == "blockers":
            raise _Bad("risk_zone is derived from the county's risk level and cannot be imported "
                       "(风险区由县的风险等级得出，不可导入)")
        if item not in f.choices:
            raise _Bad(f"{item[:40]!r} is not one of {', '.join(f.choices)} (取值无效)")
    return list(dict.fromkeys(items))


def region_code(value) -> str:
    """Six-digit GB/T 2260 code from the six-digit, short (23, 2301) or 12-digit form.

    >>> region_code("23"), region_code(2301), region_code("230102000000")
    ('230000', '230100', '230102')
    """
    if isinstance(value, bool):
        raise _Bad("not a region code (不是行政区划代码)")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if not text.isascii() or not text.isdigit():
        raise _Bad(f"{text[:20]!r} is not a region code: use 6 digits (or 2, 4 or 12) (不是行政区划代码)")
    if len(text) == 2:
        return text + "0000"
    if len(text) == 4:
        return text + "00"
    if len(text) == 6:
        return text
    if len(text) == 12:
        if text[6:] != "000000":
            raise _Bad(f"{text} is below county level; regions go down to counties (低于县级的区划代码)")
        return text[:6]
    raise _Bad(f"{text[:20]!r} is not a region code: use 6 digits (or 2, 4 or 12) (不是行政区划代码)")


def _coerce_region(value, f, tabular):
    return region_code(value)


def _coerce_industry(value, f, tabular):
    text = _text(value)
    canonical = normalize_industry(text)
    if canonical is None:
        raise _Bad(f"{text[:20]!r} is not a GB/T 4754-2017 code (e.g. C1441) or section letter "
                   "(不是国民经济行业分类代码)")
    return canonical


def _coerce_credit_code(value, f, tabular):
    code = _text(value).upper()
    if len(code) != 18:
        raise _Bad(f"must be 18 characters, not {len(code)} (统一社会信用代码应为18位)")
    bad = [c for c in code if c not in CHARSET]
    if bad:
        raise _Bad(f"character {bad[0]!r} is not allowed (含非法字符)")
    expected = check_digit(code[:17])
    if code[17] != expected:
        raise _Bad(f"check digit is wrong, expected {expected} (校验位错误)")
    return code


def _coerce_email(value, f, tabular):
    text = _text(value)
    if not _EMAIL.match(text):
        raise _Bad(f"{text[:40]!r} is not an e-mail address (邮箱格式错误)")
    return text


_COERCE = {
    "text": _coerce_text, "ref": _coerce_text, "enum": _coerce_enum, "region": _coerce_region,
    "number": _coerce_number, "integer": _coerce_integer, "date": _coerce_date, "bool": _coerce_bool,
    "list": _coerce_list, "enum_list": _coerce_enum_list, "industry": _coerce_industry,
    "credit_code": _coerce_credit_code, "email": _coerce_email,
}


# --- records ------------------------------------------------------------------------------------

def _coerce_section(section, records, tabular, columns, problems, tick):
    """Coerce every record of a section; returns [(row, record)] of the records without errors
    in their key (the others cannot be referred to)."""
    fields = SECTIONS[section]
    known = {f.name for f in fields}
    plan = []
    for f in fields:
        limit = MAX_LENGTH_BY_SECTION.get((section, f.name), MAX_LENGTH.get(f.name))
        plan.append((f, _COERCE[f.kind], limit, tabular and f.name not in columns))
    if tabular:
        for f, _, _, missing in plan:
            if missing and f.required:
                problems.append(Problem(section, 1, f.name, "required column missing (缺少必填列)"))
    out = []
    for row, raw in records:
        if not tabular:
            for name in raw:
                if name not in known:
                    problems.append(Problem(section, row, str(name), "unknown field (未知字段)"))
        record = {}
        for f, coerce, limit, missing in plan:
            value = raw.get(f.name)
            if type(value) is str:
                value = value.strip()
            if value is None or value == "" or (type(value) in (list, tuple) and not value):
                if f.required and not missing:
                    problems.append(Problem(section, row, f.name, "required (必填)"))
                record[f.name] = list(f.default) if isinstance(f.default, tuple) else f.default
                continue
            try:
                value = coerce(value, f, tabular)
            except _Bad as exc:
                problems.append(Problem(section, row, f.name, str(exc)))
                value = None
            else:
                if limit is not None and isinstance(value, str) and len(value) > limit:
                    problems.append(Problem(section, row, f.name, f"at most {limit} characters (最多{limit}个字符)"))
            record[f.name] = value
        out.append((row, record))
        tick()
    return out


def _dedupe(section, records, problems):
    """Report a repeated key at its later row, naming the earlier; returns key -> (row, record)."""
    key = KEY[section]
    first = {}
    for row, record in records:
        value = record.get(key)
        if value is None:
            continue
        if value in first:
            problems.append(Problem(section, row, key, f"duplicate {key} {value}, first at row {first[value][0]} "
                                    f"(与第{first[value][0]}行重复)"))
        else:
            first[value] = (row, record)
    return first


def validate(raw: RawPackage, stored: Stored, progress=None):
    """Coerce and check a read package; returns (package, problems)."""
    problems = list(raw.problems)
    tabular = raw.container in TABULAR
    total = len(raw)
    done = [0]

    def tick():
        done[0] += 1
        if progress is not None and done[0] % 2000 == 0:
            progress(done[0], total)

    package, keyed = {}, {}
    for section in SECTION_ORDER:
        if section not in raw.sections:
            continue
        records = _coerce_section(section, raw.sections[section], tabular, raw.columns.get(section, ()),
                                  problems, tick)
        package[section] = records
        keyed[section] = _dedupe(section, records, problems)
    if progress is not None:
        progress(total, total)

    failed = {(p.row, p.field) for p in problems if p.section == "regions"}
    _check_regions(keyed.get("regions", {}), stored, problems, failed)
    _check_categories(keyed.get("categories", {}), stored, problems)
    levels = dict(stored.region_levels)
    levels.update({code: rec["level"] for code, (row, rec) in keyed.get("regions", {}).items()})
    firm_refs = stored.firm_refs | keyed.get("firms", {}).keys()
    category_codes = stored.category_codes | keyed.get("categories", {}).keys()
    _check_firms(package.get("firms", ()), keyed.get("firms", {}), levels, stored, problems)
    for section in ("needs", "offers", "links"):
        for row, rec in package.get(section, ()):
            for name in ("firm", "supplier", "buyer"):
                ref = rec.get(name, None)
                if ref is not None and ref not in firm_refs:
                    problems.append(Problem(section, row, name, f"unknown firm {ref}: neither in this package nor "
                                            "stored (企业不存在)"))
            code = rec.get("category")
            if code is not None and code not in category_codes:
                problems.append(Problem(section, row, "category", f"unknown category {code}: neither in this "
                                        "package nor stored (品类不存在)"))
    for row, rec in package.get("offers", ()):
        start, until = rec.get("available_from"), rec.get("available_until")
        if start is not None and until is not None and until < start:
            problems.append(Problem("offers", row, "available_until", "is before available_from "
                                    "(截止日期早于开始日期)"))
    for row, rec in package.get("links", ()):
        if rec.get("supplier") is not None and rec.get("supplier") == rec.get("buyer"):
            problems.append(Problem("links", row, "buyer", "a firm cannot be its own supplier (供需双方相同)"))
    return package, problems


def _check_regions(regions, stored, problems, failed):
    levels = dict(stored.region_levels)
    levels.update({code: rec["level"] for code, (row, rec) in regions.items()})
    for code, (row, rec) in regions.items():
        level, parent = rec["level"], rec["parent"]
        if level is None:
            continue
        if level == "province":
            if parent is not None:
                problems.append(Problem("regions", row, "parent", "a province has no parent (省级无上级)"))
        elif parent is None:
            problems.append(Problem("regions", row, "parent", f"required for a {level} (非省级必填)"))
        elif parent not in levels:
            problems.append(Problem("regions", row, "parent", f"unknown region {parent}: neither in this package "
                                    "nor stored (上级区划不存在)"))
        elif levels[parent] is not None and LEVEL_RANK[levels[parent]] >= LEVEL_RANK[level]:
            problems.append(Problem("regions", row, "parent", f"{parent} is a {levels[parent]}, not above a "
                                    f"{level} (上级区划级别不对)"))
        if parent == code and parent is not None:
            problems.append(Problem("regions", row, "parent", "a region cannot be its own parent (不能以自身为上级)"))
        if level == "county":
            for name in ("lat", "lon"):
                if rec[name] is None and (row, name) not in failed:
                    problems.append(Problem("regions", row, name, "required for a county (县级必填)"))


def _check_categories(categories, stored, problems):
    codes = stored.category_codes | categories.keys()
    for code, (row, rec) in categories.items():
        for name in ("inputs", "substitutes"):
            for other in rec.get(name) or ():
                if other not in codes:
                    problems.append(Problem("categories", row, name, f"unknown category {other}: neither in this "
                                            "package nor stored (品类不存在)"))


def _check_firms(records, keyed, levels, stored, problems):
    refs = keyed.keys()
    seen_codes = {}
    for row, rec in records:
        region = rec.get("region")
        if region is not None:
            level = levels.get(region)
            if region not in levels:
                problems.append(Problem("firms", row, "region", f"unknown region {region}: neither in this package "
                                        "nor stored (区划不存在)"))
            elif level != "county":
                problems.append(Problem("firms", row, "region", f"{region} is a {level}; a firm's region must be a "
                                        "county (企业所在地必须是县级)"))
        code = rec.get("credit_code")
        if code is None:
            continue
        if code in seen_codes and seen_codes[code][1] != rec.get("ref"):
            earlier_row, earlier_ref = seen_codes[code]
            problems.append(Problem("firms", row, "credit_code", f"duplicate credit code, first at row {earlier_row} "
                                    f"(firm {earlier_ref}) (统一社会信用代码与第{earlier_row}行重复)"))
            continue
        seen_codes.setdefault(code, (row, rec.get("ref")))
        owner = stored.credit_codes.get(code)
        if owner is not None and owner != rec.get("ref") and owner not in refs:
            problems.append(Problem("firms", row, "credit_code", f"already belongs to stored firm {owner} "
                                    "(统一社会信用代码已被其他企业使用)"))
