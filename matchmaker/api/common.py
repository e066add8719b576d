"""What the core API modules share: their Blueprint class, error-response docs, JSON-only bodies,
the bearer security scheme."""
from http import HTTPStatus
from typing import Callable, Union

import flask_smorest
import marshmallow as ma
from flask import request
from flask_smorest import abort
from flask_smorest.pagination import PaginationMetadataSchema
from webargs.flaskparser import FlaskParser

from matchmaker.infra.errors import status_of

class _Parser(FlaskParser):
    """webargs' parser, reading with one instance per schema class (webargs makes a new schema
    instance for every request, ~0.1 ms each, three of them on a paged list)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas = {}

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)


_PAGINATION_METADATA = PaginationMetadataSchema()


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with schema instances reused from request to request (the
    OpenAPI document is the same)."""

    ARGUMENTS_PARSER = _Parser()
    PAGINATION_ARGUMENTS_PARSER = _Parser()

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        """flask-smorest's pagination metadata (the same fields, by the same rule), dumped by one
        schema instance."""
        meta = {"total": item_count, "total_pages": 0}
        if item_count:
            last = (item_count - 1) // page_size + 1
            meta.update(total_pages=last, first_page=1, last_page=last)
            if page <= last:
                meta["page"] = page
                if page > 1:
                    meta["previous_page"] = page - 1
                if page < last:
                    meta["next_page"] = page + 1
        return _PAGINATION_METADATA.dump(meta)


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
