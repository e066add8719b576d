"""Auth API: bearer tokens for e-mail and password, who am I, and account management for admins."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, PUBLIC, errors, json_blueprint, page_args
from matchmaker.schemas.user import (PasswordChangeSchema, TokenCreateSchema, TokenInfoSchema, TokenSchema, UserCreateSchema,
                                     UserQueryArgsSchema, UserSchema)
from matchmaker.infra.security import (current_actor, note_failed_password, password_limits, sign_in_limits,
                                       signed_in_with_password)
from matchmaker.services import auth, users
from matchmaker.services.support.errors import Invalid, Unauthorized

blp = json_blueprint(Blueprint(
    "accounts", __name__,
    description="Sign in for a bearer token (send it as `Authorization: Bearer <token>`); accounts."))
URL_PREFIX = ""


def _token_out(row, user, token=None):
    """The TokenSchema view of a token row (the plain token only when just created)."""
    return {"id": row.id, "token": token, "name": row.name, "created_at": row.created_at,
            "revoked_at": row.revoked_at, "expires_at": row.expires_at, "user": user}


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @blp.doc(security=PUBLIC)
    @sign_in_limits  # before the body is validated and any password hashed
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenSchema)
    @errors(blp, 400, 401, 415, 429)
    def post(self, data):
        """Exchange e-mail and password for a bearer token (shown once; expires after TOKEN_LIFETIME, default 30 days, unless renewed; failed attempts are rate-limited)"""
        user = auth.authenticate(data["email"], data["password"])
        if user is None:
            note_failed_password()
            raise Unauthorized("wrong e-mail or password")  # one answer for an unknown e-mail and a wrong password
        signed_in_with_password(user)  # the new token is audited as created by its owner
        row, token = auth.create_token(user, data.get("name") or "api")
        return _token_out(row, user, token)

    @blp.response(200, TokenInfoSchema(many=True))
    @errors(blp, 401)
    def get(self):
        """List your tokens (ids, names, dates; never the tokens themselves)"""
        return auth.list_tokens(current_actor())


@blp.route("/auth/tokens/<int:token_id>")
class TokenById(MethodView):
    @blp.response(204)
    @errors(blp, 401, 404)
    def delete(self, token_id):
        """Revoke a token (yours; administrators: anyone's)"""
        auth.revoke_token(current_actor(), token_id)


@blp.route("/auth/tokens/<int:token_id>/renew")
class TokenRenew(MethodView):
    @blp.response(200, TokenInfoSchema)
    @errors(blp, 401, 404, 409)
    def post(self, token_id):
        """Renew one of your live tokens: it is honoured for TOKEN_LIFETIME (default 30 days) from now; a revoked or expired one cannot be renewed (409: sign in again)"""
        return auth.renew_token(current_actor(), token_id)


@blp.route("/auth/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    @errors(blp, 401)
    def get(self):
        """The signed-in account"""
        return current_actor()


@blp.route("/auth/password")
class Password(MethodView):
    @password_limits
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @errors(blp, 400, 401, 403, 415, 422, 429)
    def post(self, data):
        """Change your password; every session and every token of the account ends, this one too"""
        try:
            auth.change_password(current_actor(), data["current_password"], data["new_password"])
        except Invalid as exc:
            if "current_password" in (exc.errors or {}):
                note_failed_password()
            raise


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @errors(blp, 401, 403)
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """List accounts (administrators)"""
        items, pagination_parameters.item_count = users.list_users(current_actor(), args,
                                                                   *page_args(pagination_parameters))
        return items

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @errors(blp, 400, 401, 403, 409, 415)
    def post(self, data):
        """Create an account (administrators)"""
        return users.create_user(current_actor(), data)


@blp.route("/users/<int:user_id>/deactivate")
class UserDeactivate(MethodView):
    @blp.response(200, UserSchema)
    @errors(blp, 401, 403, 404, 422)
    def post(self, user_id):
        """Deactivate an account and revoke its tokens (administrators)"""
        return users.deactivate_user(current_actor(), user_id)
