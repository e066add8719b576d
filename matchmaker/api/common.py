"""What the core API modules share: error-response docs, JSON-only bodies, the bearer security scheme."""
from http import HTTPStatus
from typing import Callable, Union

from flask import request
from flask_smorest import Blueprint, abort

from matchmaker.infra.errors import status_of

BEARER = [{"bearerAuth": []}]
PUBLIC = []
_BODY_METHODS = ("POST", "PUT", "PATCH")


def errors(blp: Blueprint, *answers: Union[int, type]) -> Callable:
    """Decorator documenting error responses (the one JSON error shape): each answer is a status
    code, or a domain error class (`matchmaker.errors`) documented under the status the edge maps it to."""

    def decorator(func):
        """Add one alt_response per status code."""
        for code in dict.fromkeys(a if isinstance(a, int) else status_of(a) for a in answers):
            func = blp.alt_response(code, response=HTTPStatus(code).name)(func)
        return func

    return decorator


def require_json_body() -> None:
    """415 for a request body that is not JSON (a bodiless POST, e.g. a close, is fine)."""
    if request.method in _BODY_METHODS and (request.content_length or request.headers.get("Transfer-Encoding")):
        if not request.is_json:
            abort(415, message="send the body as application/json")


def json_blueprint(blp: Blueprint) -> Blueprint:
    """Make a blueprint refuse non-JSON bodies; returns it."""
    blp.before_request(require_json_body)
    return blp


def page_args(pagination_parameters) -> tuple:
    """(page, page_size) of flask-smorest pagination parameters."""
    return pagination_parameters.page, pagination_parameters.page_size
