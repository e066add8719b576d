"""The domain errors, where the services have always imported them from (see `matchmaker.errors`)."""
from matchmaker.errors import (  # noqa: F401
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Message,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
)
