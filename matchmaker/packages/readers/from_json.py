"""The JSON container: one object whose keys are sections, each a list of records (objects).

Its shape (nesting, number of values) is checked on the text before it is parsed.
"""
import json
import os
import re
from itertools import accumulate, repeat
from operator import sub
from typing import BinaryIO

from matchmaker.packages.problems import Problem
from matchmaker.packages.readers.limits import Budget, Stop, long_message
from matchmaker.packages.readers.sources import Source
from matchmaker.packages.readers.tables import RawPackage, unknown_section
from matchmaker.packages.schema import FIELD_NAMES

__all__ = ["read_json"]

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_PIECES = re.compile(r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^"]+){1,4096}', re.S)  # whole strings and what is between
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})


def read_json(source: str | os.PathLike | BinaryIO, budget: Budget) -> RawPackage:
    """A JSON object whose keys are sections, each a list of records (objects)."""
    limits = budget.limits
    package = RawPackage("json")
    part = getattr(source, "name", None) or "the JSON file"
    part = os.path.basename(str(part))
    try:
        text = Source(source, part, budget).read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        package.problems.append(Problem("package", 1, "-", f"not valid JSON: {exc} (不是有效的JSON)"))
        return package
    _check_json_shape(text, limits)
    try:
        data = json.loads(text)
    except RecursionError:  # not reached with the depth checked above; never a traceback
        raise Stop(Problem("package", 1, "-", "JSON nested too deeply (JSON嵌套过深)")) from None
    except ValueError as exc:
        package.problems.append(Problem("package", 1, "-", f"not valid JSON: {exc} (不是有效的JSON)"))
        return package
    del text
    if not isinstance(data, dict):
        package.problems.append(Problem("package", 1, "-", "must be a JSON object whose keys are sections "
                                        "(应为以表名为键的JSON对象)"))
        return package
    for section, records in data.items():
        if section not in FIELD_NAMES:
            package.problems.append(unknown_section(section))
            continue
        if not isinstance(records, list):
            package.problems.append(Problem(section, 1, "-", "must be a list of records (应为列表)"))
            continue
        if len(records) + 1 > limits.rows:
            raise Stop(Problem(section, limits.rows + 1, "-", f"more than {limits.rows - 1:,} records "
                               "(IMPORT_MAX_ROWS) (记录过多)"))
        rows = []
        for n, record in enumerate(records, start=2):
            if not isinstance(record, dict):
                package.problems.append(Problem(section, n, "-", "a record must be an object (记录应为对象)"))
                continue
            for key, value in record.items():
                if len(key) > 64:  # no field name is that long; keep it out of the messages
                    raise Stop(Problem(section, n, key[:64] + "…", "not a field name (字段名无效)"))
                if _too_long(value, limits.field_chars):
                    raise Stop(Problem(section, n, str(key)[:64], long_message(limits.field_chars)))
            rows.append((n, record))
        package.sections[section] = rows
    return package


def _check_json_shape(text, limits):
    """Refuse, before parsing, JSON nested deeper than the limit or holding more values than cells.

    The text is taken a few thousand tokens (whole strings, or runs between them) at a time, so
    this costs memory in proportion to one such piece, not to the number of strings."""
    depth = deepest = colons = commas = 0
    for piece in _JSON_PIECES.finditer(text):
        skeleton = _JSON_STRING.sub("", piece.group())
        colons, commas = colons + skeleton.count(":"), commas + skeleton.count(",")
        if max(colons, commas) > limits.cells:
            raise Stop(Problem("package", 1, "-", f"the JSON holds more than {limits.cells:,} values "
                               "(IMPORT_MAX_CELLS) (数据过多)"))
        steps = _NOT_BRACKET.sub("", skeleton).translate(_DEPTH_STEP).encode("latin-1")
        if steps:
            deepest = max(deepest, max(accumulate(map(sub, steps, repeat(1)), initial=depth)))
            depth += steps.count(2) - steps.count(0)
    if deepest > limits.json_depth:
        raise Stop(Problem("package", 1, "-", f"the JSON is nested {deepest:,} levels deep; at most "
                           f"{limits.json_depth} are read (a package needs 4) (IMPORT_MAX_JSON_DEPTH) "
                           "(JSON嵌套过深)"))


def _too_long(value, limit):
    if isinstance(value, str):
        return len(value) > limit
    if isinstance(value, list):
        return any(isinstance(v, str) and len(v) > limit for v in value)
    return False
