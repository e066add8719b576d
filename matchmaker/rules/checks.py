"""Field checks that collect messages: each reads one field of a record (a dict, as a service
receives it) and appends what is wrong to ``errors[field]``, so every bad field is reported at once.

The services call these, through the record rules of `matchmaker.rules.records`, once per write.
They also settle the type of a value, for callers that bring no schema (pages, CLI, tests);
on the API path the schema has settled it already and the type messages never show.
"""
import math
from datetime import date, datetime
from typing import Iterable

from matchmaker.errors import Invalid, Message
from matchmaker.rules.values import (DATE_TEXT, EARLIEST_DATE, LATEST_DATE, MAX_DAYS, MAX_QUANTITY, MIN_POSITIVE,
                                     has_control_characters, is_unicode)

__all__ = ["add", "check_bool", "check_choices", "check_date", "check_fields", "check_int", "check_number",
           "check_text", "raise_if"]


def add(errors: dict, field: str, message: str) -> None:
    """Append one message to a field's list."""
    errors.setdefault(field, []).append(message)


def check_fields(data: dict, allowed: Iterable[str], errors: dict) -> None:
    """Unknown field names are errors (a typo must not silently drop data)."""
    for key in data:
        if key not in allowed:
            add(errors, key, "unknown field")


def check_text(data: dict, field: str, errors: dict, max_len: int, required: bool = False) -> None:
    """A text field: no control characters or lone surrogates, at most max_len characters."""
    if field not in data:
        if required:
            add(errors, field, "required")
        return
    value = data[field]
    if value is None or value == "":
        if required:
            add(errors, field, "required")
        return
    if not isinstance(value, str):
        add(errors, field, "must be text")
        return
    if has_control_characters(value):
        add(errors, field, "contains control characters")
    if not is_unicode(value):
        add(errors, field, "is not valid Unicode text")
    if len(value) > max_len:
        add(errors, field, Message("at most %(n)s characters", n=max_len))


def check_number(data: dict, field: str, errors: dict, positive: bool = False, ratio: bool = False,
                 required: bool = False, maximum: float = MAX_QUANTITY) -> None:
    """A number: finite; > 0 when positive; within 0..1 when ratio; else >= 0; at most `maximum`."""
    if data.get(field) is None:
        if required:
            add(errors, field, "required")
        return
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        add(errors, field, "must be a number")
        return
    try:
        value = float(value)
    except OverflowError:
        add(errors, field, "number too large")
        return
    if not math.isfinite(value):
        add(errors, field, "must be a finite number")
    elif ratio and not 0 <= value <= 1:
        add(errors, field, "must be within 0..1")
    elif positive and value <= 0:
        add(errors, field, "must be greater than 0")
    elif positive and value < MIN_POSITIVE:
        add(errors, field, Message("must be at least %(n)s", n=f"{MIN_POSITIVE:g}"))
    elif not ratio and value < 0:
        add(errors, field, "must not be negative")
    elif value > maximum:
        add(errors, field, Message("must be at most %(n)s", n=f"{maximum:g}"))


def check_int(data: dict, field: str, errors: dict, minimum: int = 0, maximum: int = MAX_DAYS) -> None:
    """A whole number within [minimum, maximum]."""
    if data.get(field) is None:
        return
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, int):
        add(errors, field, "must be a whole number")
    elif not minimum <= value <= maximum:
        add(errors, field, Message("must be within %(low)s..%(high)s", low=minimum, high=maximum))


def check_bool(data: dict, field: str, errors: dict) -> None:
    """True or false (or absent)."""
    if data.get(field) is not None and not isinstance(data[field], bool):
        add(errors, field, "must be true or false")


def check_date(data: dict, field: str, errors: dict, required: bool = False) -> None:
    """A date between EARLIEST_DATE and LATEST_DATE; ISO text (YYYY-MM-DD only) and datetimes
    become a `datetime.date` in `data`."""
    value = data.get(field)
    if value is None:
        if required:
            add(errors, field, "required")
        return
    if isinstance(value, str):
        try:
            if not DATE_TEXT.match(value):
                raise ValueError(value)
            value = data[field] = date.fromisoformat(value)
        except ValueError:
            add(errors, field, "not a date (YYYY-MM-DD)")
            return
    elif isinstance(value, datetime):
        value = data[field] = value.date()
    elif not isinstance(value, date):
        add(errors, field, "not a date (YYYY-MM-DD)")
        return
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        add(errors, field, Message("must be between %(first)s and %(last)s", first=EARLIEST_DATE.isoformat(),
                                     last=LATEST_DATE.isoformat()))


def check_choices(data: dict, field: str, errors: dict, choices: tuple, many: bool = False,
                  required: bool = False) -> None:
    """One value (or, with many, a list of distinct values) out of `choices`; a list loses its repeats."""
    value = data.get(field)
    if value is None:
        if required:
            add(errors, field, "required")
        return
    values = value if many else [value]
    if many and not isinstance(value, (list, tuple)):
        add(errors, field, "must be a list")
        return
    bad = [v for v in values if v not in choices]
    if bad:
        add(errors, field, Message("must be one of: %(choices)s", choices=", ".join(choices)))
    elif many:
        data[field] = list(dict.fromkeys(values))


def raise_if(errors: dict, message: str = "invalid input") -> None:
    """Raise `Invalid` naming every field when there are errors."""
    if errors:
        raise Invalid(message, errors)
