"""A problem found in a data package: section, row and field, and what is wrong."""
from typing import NamedTuple


class Problem(NamedTuple):
    """One error, located as a spreadsheet user locates it (the header is row 1)."""

    section: str
    row: int
    field: str
    message: str

    def __str__(self):
        return f"{self.section} row {self.row} field {self.field}: {self.message}"


class PackageInvalid(Exception):
    """The package breaks the rules; `problems` lists every error found, in package order.

    Like a service's `Invalid` it carries a `message` and field `errors`, so an edge reports both
    the same way; it is not a service error, since this package sits below the services.
    """

    def __init__(self, problems):
        problems = sorted(problems, key=_order)
        self.message = f"the data package has {len(problems)} error(s); nothing was imported"
        self.errors = {"package": [str(p) for p in problems]}
        super().__init__(self.message)
        self.problems = problems


_SECTION_RANK = {s: i for i, s in enumerate(("regions", "categories", "firms", "needs", "offers", "links"))}


def _order(p: Problem):
    return (_SECTION_RANK.get(p.section, -1), p.section, p.row)
