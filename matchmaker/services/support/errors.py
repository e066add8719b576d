"""Domain exceptions; only the edge (API, web, CLI) maps them to HTTP statuses or exit codes."""


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


class Unauthorized(DomainError):
    status = 401


class Invalid(DomainError):
    """Input that is well-formed but breaks a rule; `errors` maps field -> messages."""

    status = 422


class ServiceUnavailable(DomainError):
    status = 503
