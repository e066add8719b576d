"""A problem found in a data package (section, row, field, what is wrong), and the domain error
that carries every problem of a rejected package (an `Invalid`, from `matchmaker.errors`)."""
from typing import NamedTuple

from matchmaker.errors import Invalid


class Problem(NamedTuple):
    """One error, located as a spreadsheet user locates it (the header is row 1)."""

    section: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.section} row {self.row} field {self.field}: {self.message}"


class PackageInvalid(Invalid):
    """The package breaks the rules; `problems` lists every error found, in package order.

    A domain error (`matchmaker.errors.Invalid`, with a `message` and field `errors`), so every
    edge reports it like any other invalid input; not a service error, since this package sits
    below the services.
    """

    def __init__(self, problems: list) -> None:
        problems = sorted(problems, key=_order)
        super().__init__("the data package has %(n)s error(s); nothing was imported",
                         {"package": [str(p) for p in problems]}, n=len(problems))
        self.problems = problems


_SECTION_RANK = {s: i for i, s in enumerate(("regions", "categories", "firms", "needs", "offers", "links"))}


def _order(p: Problem):
    return (_SECTION_RANK.get(p.section, -1), p.section, p.row)
