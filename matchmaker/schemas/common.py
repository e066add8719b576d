"""Field types and bases shared by the API schemas: text that is safe to store, bounded numbers."""
import math
import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from matchmaker.services.support.common import MAX_DAYS, MAX_ID, MAX_QUANTITY

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _safe_text(value):
    """No control characters (NUL breaks PostgreSQL) and no lone surrogates (not UTF-8)."""
    if _CONTROL.search(value):
        raise ValidationError("Contains control characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Is not valid Unicode text.") from None


class Text(fields.String):
    """A string that can be stored: bounded length, no control characters or lone surrogates."""

    def __init__(self, max_length=200, min_length=None, **kwargs):
        validators = [validate.Length(min=min_length, max=max_length), _safe_text]
        extra = kwargs.pop("validate", None)
        if extra is not None:
            validators.extend(extra if isinstance(extra, (list, tuple)) else [extra])
        super().__init__(validate=validators, **kwargs)


def _meta(kwargs, **default):
    """kwargs with `metadata` merged over the defaults."""
    kwargs["metadata"] = {**default, **kwargs.get("metadata", {})}
    return kwargs


def Ref(**kwargs):
    """A record's ref (unique within its section)."""
    return Text(max_length=64, min_length=1, **_meta(kwargs, description="ref, unique within its section"))


def RegionCode(**kwargs):
    """A GB/T 2260 code: six digits (the short 2/4-digit and 12-digit forms are accepted)."""
    return fields.String(validate=validate.Regexp(r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{12})$",
                                                  error="A GB/T 2260 code: 6 digits (or 2, 4 or 12)."),
                         **_meta(kwargs, example="230100"))


def CategoryCode(**kwargs):
    """A category code."""
    return Text(max_length=32, min_length=1, **kwargs)


class Quantity(fields.Float):
    """A finite number within bounds (positive quantities and prices by default)."""

    def __init__(self, minimum=0.0, exclusive=True, maximum=MAX_QUANTITY, **kwargs):
        super().__init__(allow_nan=False, validate=validate.Range(min=minimum, max=maximum, min_inclusive=not exclusive),
                         **kwargs)

    def _validated(self, value):
        result = super()._validated(value)
        if result is not None and not math.isfinite(result):
            raise self.make_error("special")
        return result


def Ratio(**kwargs):
    """A share within 0..1."""
    return Quantity(minimum=0.0, exclusive=False, maximum=1.0, **kwargs)


def Days(**kwargs):
    """A whole number of days."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DAYS), **kwargs)


def Version(**kwargs):
    """The version the caller last read; a mismatch is a 409 conflict."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID),
                          **_meta(kwargs, description="the version you last read; 409 if it changed since"))


def Choice(choices, **kwargs):
    """One value out of a fixed list."""
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def ChoiceList(choices, **kwargs):
    """A list of values out of a fixed list."""
    return fields.List(fields.String(validate=validate.OneOf(choices)),
                       validate=validate.Length(max=len(choices) * 2), **kwargs)


class InputSchema(Schema):
    """Base of input schemas: unknown fields are errors (a typo must not silently drop data)."""

    class Meta:
        unknown = RAISE


class VersionArgsSchema(InputSchema):
    """Optional body of a close/deactivate call."""

    version = Version()


class OutputSchema(Schema):
    """Base of output schemas."""
