"""Domain errors: what went wrong, in the domain's words, with no HTTP status.

Services, the rules (`matchmaker.rules`) and the data package (`matchmaker.packages`) raise
these; only the edge turns them into something else: `matchmaker.infra.errors` maps each
class to an HTTP status, the web pages show the message beside the fields, the CLI prints it
and exits non-zero.  `errors` maps a field name to its messages.
"""
from typing import Optional

__all__ = ["Conflict", "DomainError", "Forbidden", "Invalid", "Message", "NotFound", "ServiceUnavailable",
           "Unauthorized"]


class Message(str):
    """A message in English (the catalogue's message id) that remembers its template and values,
    so an edge can say it in the user's language (`matchmaker.infra.labels.message`).

    >>> m = Message("pairing %(id)s not found", id=40)
    >>> m, m.template, m.params
    ('pairing 40 not found', 'pairing %(id)s not found', {'id': 40})
    """

    template: str
    params: dict

    def __new__(cls, template: str, **params) -> "Message":
        obj = super().__new__(cls, template % params if params else template)
        obj.template = template
        obj.params = params
        return obj


class DomainError(Exception):
    """Base of every error a service raises on purpose; `params` fill the message's %(name)s
    placeholders (so the message stays one translatable id)."""

    def __init__(self, message: str, errors: Optional[dict] = None, **params) -> None:
        message = Message(message, **params) if params else message
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    """No such record, or one the caller may not read (out of scope looks like absent)."""


class Conflict(DomainError):
    """The change collides with stored data: a taken ref, a stale version, a closed proposal."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class Unauthorized(DomainError):
    """The caller is not known: no credentials, or credentials that are invalid or revoked."""


class Invalid(DomainError):
    """Input that is well-formed but breaks a rule; `errors` maps field -> messages."""


class ServiceUnavailable(DomainError):
    """Something the service depends on (the matcher, the database) cannot serve right now."""
