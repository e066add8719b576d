"""Domain errors: what went wrong, in the domain's words, with no HTTP status.

Services, the rules (`matchmaker.rules`) and the data package (`matchmaker.packages`) raise
these; only the edge turns them into something else: `matchmaker.infra.errors` maps each
class to an HTTP status, the web pages show the message beside the fields, the CLI prints it
and exits non-zero.  `errors` maps a field name to its messages.
"""
from typing import Optional

__all__ = ["Conflict", "DomainError", "Forbidden", "Invalid", "NotFound", "ServiceUnavailable", "Unauthorized"]


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, message: str, errors: Optional[dict] = None) -> None:
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
