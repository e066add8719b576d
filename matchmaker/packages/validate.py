"""Validate and coerce a read package: every rule of `data-package.md`, every error collected.

`validate(raw, stored)` returns ``(package, problems)``: the package as
``{section: [(row, {field: python value})]}`` (empty cells replaced by their defaults) and a
list of `Problem`s, empty when the package may be imported. `stored` tells what the database
already holds, so references may resolve to it and credit codes stay unique.

Cells are coerced by `matchmaker.packages.cells`; the limits, enumerations and rules across
fields are the rules' (`matchmaker.rules`), phrased here for spreadsheet users.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

from matchmaker.packages.cells import BadCell, coercer
from matchmaker.packages.goods import check_goods
from matchmaker.packages.ledger_checks import check_ledger
from matchmaker.packages.problems import Problem
from matchmaker.packages.readers import TABULAR, RawPackage
from matchmaker.packages.schema import KEY, SECTION_ORDER, SECTIONS
from matchmaker.rules import (FIRM_REGION_LEVEL, LEVEL_RANK, PACKAGE_MAX_LENGTH, SECTION_MAX_LENGTH,
                              ends_before_start, supplies_itself)

__all__ = ["LEVEL_RANK", "Stored", "validate"]


@dataclass
class Stored:
    """What the database already holds, as far as validation needs it."""

    region_levels: dict = field(default_factory=dict)  # code -> level
    category_codes: set = field(default_factory=set)
    product_categories: dict = field(default_factory=dict)  # product code -> its category
    firm_refs: set = field(default_factory=set)
    credit_codes: dict = field(default_factory=dict)  # credit code -> firm ref
    # the ledger (read only for a package with ledger sections)
    link_refs: set = field(default_factory=set)
    delivery_links: dict = field(default_factory=dict)  # delivery ref -> its link's ref
    payments_naming: dict = field(default_factory=dict)  # delivery ref -> [(payment ref, link ref)]


def _coerce_section(section, records, tabular, columns, problems, tick):
    """Coerce every record of a section; returns [(row, record)] of the records without errors
    in their key (the others cannot be referred to)."""
    fields = SECTIONS[section]
    known = {f.name for f in fields}
    plan = []
    for f in fields:
        limit = SECTION_MAX_LENGTH.get((section, f.name), PACKAGE_MAX_LENGTH.get(f.name))
        plan.append((f, coercer(f.kind), limit, tabular and f.name not in columns))
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
            except BadCell as exc:
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


def validate(raw: RawPackage, stored: Stored, progress: Optional[Callable[[int, int], None]] = None
             ) -> tuple[dict, list[Problem]]:
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
    check_goods(package, keyed, stored.product_categories, category_codes, problems)
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
        if ends_before_start(rec.get("available_from"), rec.get("available_until")):
            problems.append(Problem("offers", row, "available_until", "is before available_from "
                                    "(截止日期早于开始日期)"))
    for row, rec in package.get("links", ()):
        if supplies_itself(rec.get("supplier"), rec.get("buyer")):
            problems.append(Problem("links", row, "buyer", "a firm cannot be its own supplier (供需双方相同)"))
    check_ledger(package, keyed, stored, problems)
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
            elif level != FIRM_REGION_LEVEL:
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
