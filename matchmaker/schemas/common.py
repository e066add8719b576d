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
from typing import Optional, Sequence

from marshmallow import RAISE, Schema, ValidationError, fields, validate

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
    """Base of output schemas."""
