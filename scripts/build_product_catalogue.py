"""Build the shipped product catalogue and HS subheading list (issue 10).

Reads the hand-written product lists in ``scripts/product_catalogue/*.txt`` (one product a
line: ``code|name_zh|name_en|unit|hs|aliases``, aliases ``;``-separated, ``#`` starts a
comment) and the HS 2022 nomenclature (``harmonized-system.csv`` of GitHub
``datasets/harmonized-system``, PDDL 1.0), checks every product, and writes

- ``matchmaker/data/products.csv``: ``code,name_zh,name_en,unit,category,hs,aliases``,
  sorted by code; the category is ``IO`` + the code's three category digits;
- ``matchmaker/data/hs_subheadings.csv``: ``code,description,chapter``, every level-6 row.

Deterministic: same inputs, same bytes.  ``--review`` prints each product beside the HS
description of its subheading, for checking by eye.

    python scripts/build_product_catalogue.py [--hs PATH] [--review]
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = Path(__file__).resolve().parent / "product_catalogue"
DATA_DIR = ROOT / "matchmaker" / "data"
DEFAULT_HS = ROOT.parent / "shared" / "data" / "hs" / "harmonized-system.csv"

PRODUCT_FIELDS = ["code", "name_zh", "name_en", "unit", "category", "hs", "aliases"]
HS_FIELDS = ["code", "description", "chapter"]
CODE_RE = re.compile(r"^P(\d{3})(\d{3})$")


def read_hs(path: Path) -> list[dict]:
    """The level-6 rows of the HS file as ``code,description,chapter`` records, in code order."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] == "6"]
    out = [{"code": r["hscode"], "description": r["description"], "chapter": r["hscode"][:2]} for r in rows]
    return sorted(out, key=lambda r: r["code"])


def read_sources(directory: Path = SOURCE_DIR) -> list[dict]:
    """Every product line of the source lists, as product records (unchecked)."""
    out = []
    for path in sorted(directory.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 6:
                raise SystemExit(f"{path.name}:{number}: expected 6 fields, got {len(parts)}")
            code, name_zh, name_en, unit, hs, aliases = parts
            m = CODE_RE.match(code)
            if not m:
                raise SystemExit(f"{path.name}:{number}: bad code {code!r}")
            alias_list = [a.strip() for a in aliases.split(";") if a.strip()]
            out.append({
                "code": code, "name_zh": name_zh, "name_en": name_en, "unit": unit,
                "category": "IO" + m.group(1), "hs": hs, "aliases": ";".join(alias_list),
                "_where": f"{path.name}:{number}",
            })
    return sorted(out, key=lambda r: r["code"])


def check(products: list[dict], hs_codes: set[str], categories: set[str]) -> list[str]:
    """Problems found in `products` (empty when the list is good)."""
    problems, seen_codes, seen_names = [], set(), {}
    for p in products:
        where = f"{p['_where']} {p['code']}"
        if p["code"] in seen_codes:
            problems.append(f"{where}: duplicate code")
        seen_codes.add(p["code"])
        if p["name_zh"] in seen_names:
            problems.append(f"{where}: name_zh {p['name_zh']} also {seen_names[p['name_zh']]}")
        seen_names[p["name_zh"]] = p["code"]
        if p["category"] not in categories:
            problems.append(f"{where}: unknown category {p['category']}")
        if p["hs"] and p["hs"] not in hs_codes:
            problems.append(f"{where}: unknown HS subheading {p['hs']}")
        if not (p["name_zh"] and p["name_en"] and p["unit"]):
            problems.append(f"{where}: empty name or unit")
        aliases = p["aliases"].split(";") if p["aliases"] else []
        if len(set(aliases)) != len(aliases):
            problems.append(f"{where}: repeated alias")
    return problems


def write_csv(path: Path, fields: list[str], records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hs", type=Path, default=DEFAULT_HS, help="harmonized-system.csv")
    parser.add_argument("--review", action="store_true", help="print products beside HS descriptions")
    args = parser.parse_args(argv)
    hs = read_hs(args.hs)
    descriptions = {r["code"]: r["description"] for r in hs}
    with open(DATA_DIR / "categories.csv", encoding="utf-8", newline="") as fh:
        categories = {r["code"] for r in csv.DictReader(fh)}
    products = read_sources()
    problems = check(products, set(descriptions), categories)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if args.review:
        for p in products:
            print(f"{p['code']} {p['category']} {p['name_zh']} / {p['name_en']} [{p['unit']}] "
                  f"-> {p['hs'] or '-'} {descriptions.get(p['hs'], '')}")
        return 0
    write_csv(DATA_DIR / "products.csv", PRODUCT_FIELDS, products)
    write_csv(DATA_DIR / "hs_subheadings.csv", HS_FIELDS, hs)
    print(f"{len(products)} products, {len(hs)} HS subheadings written to {DATA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
