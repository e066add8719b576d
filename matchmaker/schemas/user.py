"""Account and token schemas (a new account's values are checked by `rules.check_account` in
`services.users`; the body checks shape)."""
from marshmallow import fields

from matchmaker.rules import LOCALES, ROLES
from matchmaker.schemas.common import (Choice, InputSchema, OutputSchema, RecordChoice, RecordRef, RecordText,
                                       RegionCode, Text)


class UserSchema(OutputSchema):
    """An account (never its password hash)."""

    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    firm = fields.Function(lambda u: u.firm.ref if u.firm else None, allow_none=True)
    region = fields.String(attribute="region_code", allow_none=True)
    locale = fields.String(allow_none=True)
    active = fields.Boolean()


class UserCreateSchema(InputSchema):
    """A new account: a firm user (firm ref), task-force staff (region code) or an admin."""

    email = RecordText("email", required=True)
    name = RecordText("name")
    password = RecordText("password", min_length=8, required=True, load_only=True)
    role = RecordChoice(ROLES, required=True)
    firm = RecordRef("firm")
    region = RegionCode()
    locale = RecordChoice(LOCALES)


class UserQueryArgsSchema(InputSchema):
    """Filters of the account list."""

    role = Choice(ROLES)
    active = fields.Boolean()


class TokenCreateSchema(InputSchema):
    """Credentials exchanged for a bearer token."""

    email = Text(max_length=200, required=True)
    password = Text(max_length=1000, required=True, load_only=True)
    name = Text(max_length=100, metadata={"description": "a label for the token"})


class PasswordChangeSchema(InputSchema):
    """The current password and the new one."""

    current_password = Text(max_length=1000, required=True, load_only=True)
    new_password = Text(max_length=1000, min_length=8, required=True, load_only=True)


class TokenInfoSchema(OutputSchema):
    """A bearer token as listed: id, label and dates (never the token itself)."""

    id = fields.Integer()
    name = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(metadata={"description": "when the token stops being honoured unless renewed "
                                                          "(TOKEN_LIFETIME after it was issued or last renewed)"})


class TokenSchema(TokenInfoSchema):
    """A new bearer token: `token` is shown only this once."""

    token = fields.String()
    token_type = fields.Constant("Bearer")
    user = fields.Nested(UserSchema)
