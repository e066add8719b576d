"""Field types and bases shared by the API schemas.

Two families (see `matchmaker.rules` for who checks what):

- **Record fields** (the bodies that create or change a firm, need, offer, link or account) check
  shape only: JSON type, finite numbers, ISO dates, non-empty refs.  Their values (lengths,
  characters, bounds, enumerations) are the rules', checked once by the service; the fields
  carry them only as OpenAPI documentation.
- **Filter and other input fields** (`Text`, `Choice`, `Ref`, `CategoryCode`, `RegionCode`) check
  their values here, reading the limits and patterns from the rules: no service checks a filter.
"""
import math
from datetime import date, datetime, timezone
from typing import Callable, Optional, Sequence

from marshmallow import RAISE, Schema, ValidationError, fields, missing as _MISSING, validate
from sqlalchemy.engine import Row

from matchmaker.models.base import Base

from matchmaker.rules import (DATE_TEXT, MAX_ACCEPTS, MAX_DAYS, MAX_ID, MAX_LENGTH, MAX_QUANTITY, REGION_CODE,
                              has_control_characters, is_unicode)


def _safe_text(value: str) -> None:
    """No control characters (NUL breaks PostgreSQL) and no lone surrogates (not UTF-8)."""
    if has_control_characters(value):
        raise ValidationError("Contains control characters.")
    if not is_unicode(value):
        raise ValidationError("Is not valid Unicode text.")


def _meta(kwargs: dict, **default) -> dict:
    """kwargs with `metadata` merged over the defaults."""
    kwargs["metadata"] = {**default, **kwargs.get("metadata", {})}
    return kwargs


# --- filter and other input fields: values checked here ----------------------------------------

class Text(fields.String):
    """A string that can be stored: bounded length, no control characters or lone surrogates."""

    def __init__(self, max_length: int = 200, min_length: Optional[int] = None, **kwargs) -> None:
        validators = [validate.Length(min=min_length, max=max_length), _safe_text]
        extra = kwargs.pop("validate", None)
        if extra is not None:
            validators.extend(extra if isinstance(extra, (list, tuple)) else [extra])
        super().__init__(validate=validators, **kwargs)


def Ref(**kwargs) -> Text:
    """A record's ref (unique within its section)."""
    return Text(max_length=MAX_LENGTH["ref"], min_length=1,
                **_meta(kwargs, description="ref, unique within its section"))


def RegionCode(**kwargs) -> fields.String:
    """A GB/T 2260 code: six digits (the short 2/4-digit and 12-digit forms are accepted)."""
    return fields.String(validate=validate.Regexp(REGION_CODE, error="A GB/T 2260 code: 6 digits (or 2, 4 or 12)."),
                         **_meta(kwargs, example="230100"))


def CategoryCode(**kwargs) -> Text:
    """A category code."""
    return Text(max_length=MAX_LENGTH["category"], min_length=1, **kwargs)


def Choice(choices: Sequence[str], **kwargs) -> fields.String:
    """One value out of a fixed list."""
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def Version(**kwargs) -> fields.Integer:
    """The version the caller last read; a mismatch is a 409 conflict."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID),
                          **_meta(kwargs, description="the version you last read; 409 if it changed since"))


# --- record fields: shape here, values the rules' ----------------------------------------------

def RecordText(name: str, min_length: Optional[int] = None, **kwargs) -> fields.String:
    """Text of a record's field `name`; its length and characters are the rules' (rules.MAX_LENGTH)."""
    doc = {"maxLength": MAX_LENGTH[name], **({"minLength": min_length} if min_length else {})}
    return fields.String(**_meta(kwargs, **doc))


def RecordRef(name: str = "ref", **kwargs) -> fields.String:
    """A ref in a record (its own, or the firm's it belongs to): a non-empty string."""
    return fields.String(validate=validate.Length(min=1),
                         **_meta(kwargs, maxLength=MAX_LENGTH[name], description="ref, unique within its section"))


def RecordChoice(choices: Sequence[str], **kwargs) -> fields.String:
    """One value out of a fixed list (the list is the rules')."""
    return fields.String(**_meta(kwargs, enum=list(choices)))


def ChoiceList(choices: Sequence[str], **kwargs) -> fields.List:
    """A list of values out of a fixed list (the list is the rules'); at most twice as many items."""
    return fields.List(fields.String(metadata={"enum": list(choices)}),
                       validate=validate.Length(max=len(choices) * 2), **kwargs)


def RecordProduct(name: str = "product", **kwargs) -> fields.String:
    """A product code in a record (null or empty: no product); its shape is the rules'."""
    return fields.String(allow_none=True, **_meta(kwargs, maxLength=MAX_LENGTH["product"],
                                                  description="product code (the catalogue's or a package's)"))


def RecordProductList(**kwargs) -> fields.List:
    """A list of product codes (their shape and number are the rules')."""
    return fields.List(fields.String(metadata={"maxLength": MAX_LENGTH["product"]}), allow_none=True,
                       **_meta(kwargs, maxItems=MAX_ACCEPTS))


class Quantity(fields.Float):
    """A finite number; its bounds (positive quantities and prices by default) are the rules'."""

    def __init__(self, minimum: float = 0.0, maximum: float = MAX_QUANTITY, **kwargs) -> None:
        super().__init__(allow_nan=False, **_meta(kwargs, minimum=minimum, maximum=maximum))

    def _validated(self, value):
        result = super()._validated(value)
        if result is not None and not math.isfinite(result):
            raise self.make_error("special")
        return result


def Ratio(**kwargs) -> Quantity:
    """A share within 0..1."""
    return Quantity(minimum=0.0, maximum=1.0, **kwargs)


class Day(fields.Date):
    """A date written YYYY-MM-DD and nothing else (marshmallow, like Python, also reads 2020-W18-1
    and 20200316); its range is the rules'."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not DATE_TEXT.match(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def Days(**kwargs) -> fields.Integer:
    """A whole number of days (its bounds are the rules')."""
    return fields.Integer(strict=True, **_meta(kwargs, minimum=0, maximum=MAX_DAYS))


# --- bases -------------------------------------------------------------------------------------

class InputSchema(Schema):
    """Base of input schemas: unknown fields are errors (a typo must not silently drop data)."""

    class Meta:
        unknown = RAISE


class VersionArgsSchema(InputSchema):
    """Optional body of a close/deactivate call."""

    version = Version()


class OutputSchema(Schema):
    """Base of output schemas, with a lean dump (issue 14: a list of 50 needs cost more in
    marshmallow's per-field plumbing than in the query).

    The fields stay the one statement of the output and of its OpenAPI document; only the walk
    is shorter. Each field's value is read straight off an object (``getattr``; a dotted
    attribute, or a mapping or row, goes marshmallow's own way) and turned into JSON by the
    field's own ``_serialize`` (plain strings, integers and floats by the same rule inline), a
    missing value taking the field's ``dump_default`` or being left out, as marshmallow does.
    ``tests/api/test_lean_dump.py`` checks it against marshmallow's dump for every output schema.
    """

    def _serialize(self, obj, *, many: bool = False):
        if many and obj is not None:
            if obj and type(obj) is list and (isinstance(obj[0], Row) or _named_tuples(obj)):
                dump_row = self._row_dumper(obj[0]._fields)
                if dump_row is not None:
                    return [dump_row(o) for o in obj]
            plan = self._lean_plan()
            return [self._lean_one(o, plan) for o in obj]
        if obj is None:
            return super()._serialize(obj, many=many)
        return self._lean_one(obj, self._lean_plan())

    def _lean_plan(self) -> Optional[list]:
        """(key, attribute, field, inline kind) of each dumped field; None when a field needs marshmallow's walk."""
        plan = self.__dict__.get("_lean")
        if plan is None:
            plan = []
            for name, field in self.dump_fields.items():
                attribute = field.attribute or name
                if field._CHECK_ATTRIBUTE and "." in attribute:
                    plan = False
                    break
                key = field.data_key if field.data_key is not None else name
                plan.append((key, attribute if field._CHECK_ATTRIBUTE else None, field, _inline_kind(field)))
            self.__dict__["_lean"] = plan
        return plan or None

    def _row_dumper(self, columns: tuple) -> Optional[Callable]:
        """A function dumping one row of these columns as :meth:`_lean_one` does, written out for
        them once (a list's rows all have the same columns): the row unpacked, each field's value
        read by its position. None when a field is not among the columns (then the walk)."""
        dumpers = self.__dict__.setdefault("_row_dumpers", {})
        if columns not in dumpers:
            dumpers[columns] = _row_dumper(self._lean_plan(), columns, self.dict_class)
        return dumpers[columns]

    def _lean_one(self, obj, plan):
        if plan is None or (hasattr(type(obj), "__getitem__") and not isinstance(obj, Row)):
            return super()._serialize(obj, many=False)
        out = self.dict_class()
        for key, attribute, field, kind in plan:
            if attribute is None:
                out[key] = field._serialize(None, key, obj)
                continue
            value = getattr(obj, attribute, _MISSING)
            if value is _MISSING:
                default = field.dump_default
                value = default() if callable(default) else default
                if value is _MISSING:
                    continue
            if value is None:
                out[key] = None if kind else field._serialize(None, attribute, obj)
            elif kind == "str" and type(value) is str:
                out[key] = value
            elif kind == "int" and type(value) is int:
                out[key] = value
            elif kind == "float" and type(value) is float:
                out[key] = value
            else:
                out[key] = field._serialize(value, attribute, obj)
        return out


def _named_tuples(items: list) -> bool:
    """Whether a list holds named tuples of one class (records a list service made; dumped as rows)."""
    cls = type(items[0])
    return issubclass(cls, tuple) and hasattr(cls, "_fields") and all(type(o) is cls for o in items)


class UtcDateTime(fields.DateTime):
    """A moment written with its offset: a naive one is UTC (every time the service stores is; SQLite
    gives them back naive when read as columns rather than ORM objects, see infra.sqlite)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


_KIND_TYPES = {"str": "str", "int": "int", "float": "float"}


def _row_dumper(plan: Optional[list], columns: tuple, dict_class: type) -> Optional[Callable]:
    """The source of ``dump(row)`` for :meth:`OutputSchema._row_dumper`, compiled: one dict display
    whose items are, per field, the column's value as it is when it already has the field's plain
    type (or is None), else the field's own ``_serialize`` (a Function field: of the row)."""
    if plan is None or dict_class is not dict or not columns or not all(c.isidentifier() for c in columns):
        return None
    position = {c: i for i, c in enumerate(columns)}
    names = {f"_f{i}": field for i, (_key, _attribute, field, _kind) in enumerate(plan)}
    items = []
    for i, (key, attribute, field, kind) in enumerate(plan):
        column = getattr(getattr(field, "serialize_func", None), "listed_column", None)
        if attribute is None and column in position and type(field) is fields.Function:
            items.append(f"{key!r}: _c{position[column]}")  # a Function field of `listed`: the column as it is
            continue
        if attribute is None:
            items.append(f"{key!r}: _f{i}._serialize(None, {key!r}, row)")
            continue
        if attribute not in position:
            return None
        value = f"_c{position[attribute]}"
        serialize = f"_f{i}._serialize({value}, {attribute!r}, row)"
        kind = kind or _row_kind(field)
        if kind in _KIND_TYPES:
            items.append(f"{key!r}: {value} if {value} is None or {value}.__class__ is {_KIND_TYPES[kind]} "
                         f"else {serialize}")
        elif kind in _WRITTEN:  # null stays null (these fields' own rule), else written out as they write it
            items.append(f"{key!r}: None if {value} is None else {_WRITTEN[kind].format(v=value, i=i)} "
                         f"if {value}.__class__ is {_WRITTEN_TYPES[kind]} else {serialize}")
        else:
            items.append(f"{key!r}: {serialize}")
    unpack = ", ".join(f"_c{i}" for i in range(len(columns)))
    source = f"def dump(row):\n    ({unpack},) = row\n    return {{{', '.join(items)}}}\n"
    scope = dict(names, _utc_iso=_utc_iso, _datetime=datetime, _date=date, _list=list)
    exec(compile(source, "<lean row dump>", "exec"), scope)  # noqa: S102 - our own field names, checked above
    return scope["dump"]


#: What a row dumper writes for a value of the field's own type (see _row_kind), and that type.
_WRITTEN = {"utc": "_utc_iso({v})", "datetime": "{v}.isoformat()", "date": "{v}.isoformat()",
            "strs": "[x if x.__class__ is str else _f{i}.inner._serialize(x, None, None) for x in {v}]"}
_WRITTEN_TYPES = {"utc": "_datetime", "datetime": "_datetime", "date": "_date", "strs": "_list"}


def _utc_iso(value: datetime) -> str:
    """What UtcDateTime writes of a datetime."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)).isoformat()


def _row_kind(field) -> Optional[str]:
    """How a row dumper writes a field's values beyond the plain types (:func:`_inline_kind`):
    "utc" (UtcDateTime), "datetime" and "date" (ISO format, as marshmallow writes them), "strs" (a
    List of plain Strings); None: through the field."""
    if type(field) in (UtcDateTime, fields.DateTime, fields.Date, Day) and field.format in (None, "iso", "iso8601"):
        return {UtcDateTime: "utc", fields.DateTime: "datetime"}.get(type(field), "date")
    if type(field) is fields.List and type(field.inner) is fields.String:
        return "strs"
    return None


def listed(column: str, read):
    """A Function field's getter: a listed record's `column` (lists read plain rows or records),
    else `read` of the ORM object (a single record)."""
    def get(obj):
        return read(obj) if isinstance(obj, Base) else getattr(obj, column)

    get.listed_column = column  # (a row dumper reads the column straight: OutputSchema._row_dumper)
    return get


def posting_firm_ref(row) -> str:
    """The ref of a need's or offer's firm: ``firm_ref`` of a listed row, else its firm's."""
    ref = getattr(row, "firm_ref", None)
    return ref if ref is not None else row.firm.ref


posting_firm_ref.listed_column = "firm_ref"  # a listed row's (never null: its firm is joined)


def _inline_kind(field) -> Optional[str]:
    """"str", "int" or "float" for a plain String, Integer or Float field (its value passes as it
    is when it already has that type; None stays None), else None."""
    if type(field) is fields.String:
        return "str"
    if type(field) is fields.Integer and not field.as_string:
        return "int"
    if type(field) is fields.Float and not field.as_string:
        return "float"
    return None
