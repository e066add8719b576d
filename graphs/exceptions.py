"""Exceptions raised by the :mod:`graphs` library.

All of them derive from :class:`GraphError`, so a caller can catch the whole
family at once, in the manner of ``networkx.NetworkXException``.
"""

__all__ = [
    "GraphError",
    "InvalidRecordError",
    "UnknownFirmError",
    "UnknownLevelError",
    "MatchingError",
]


class GraphError(Exception):
    """Base class of every error raised by :mod:`graphs`."""


class InvalidRecordError(GraphError, ValueError):
    """A plain input record (firm, link, need, category) is malformed."""


class UnknownFirmError(GraphError, KeyError):
    """A link, need or query names a firm that is not in the supply graph."""

    def __str__(self):  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "unknown firm"


class UnknownLevelError(GraphError, ValueError):
    """An owner level other than ``county``, ``city`` or ``province``."""


class MatchingError(GraphError, ValueError):
    """Invalid input to the matcher (a record or a weight that cannot be used)."""
