"""The rules of the article-10 ledger's entries (spec/article10.md): orders, deliveries and
payments on a link, each a record of its data-package section.

`check_entry` reads an entry as a service receives it and collects every broken rule; what only
the database can tell (the link exists and the actor is its buyer or supplier, a named delivery
belongs to the same link, a ref is free) is the service's.
"""
from datetime import date

from matchmaker.rules.checks import check_date, check_fields, check_number, check_text
from matchmaker.rules.values import MAX_LENGTH

__all__ = ["ENTRY_FIELDS", "LEDGER_SECTIONS", "RECORDED_BY", "check_entry", "recorded_in_the_future"]

#: The fields of each kind of entry, in the data package's order.
ENTRY_FIELDS = {
    "orders": ("ref", "link", "date", "quantity"),
    "deliveries": ("ref", "link", "date", "quantity", "amount"),
    "payments": ("ref", "link", "date", "amount", "delivery"),
}
LEDGER_SECTIONS = tuple(ENTRY_FIELDS)
#: Which side of the link records each kind: the buyer orders and pays, the supplier delivers.
RECORDED_BY = {"orders": "buyer", "deliveries": "supplier", "payments": "buyer"}


def check_entry(section: str, data: dict, errors: dict) -> None:
    """The rules of an entry of `section` (orders, deliveries or payments): every field given is
    known, link and date are required, quantities and amounts are > 0 (CNY for amounts)."""
    fields = ENTRY_FIELDS[section]
    check_fields(data, fields, errors)
    check_text(data, "ref", errors, MAX_LENGTH["ref"])
    check_text(data, "link", errors, MAX_LENGTH["ref"], required=True)
    check_date(data, "date", errors, required=True)
    if "quantity" in fields:
        check_number(data, "quantity", errors, positive=True, required=True)
    if "amount" in fields:
        check_number(data, "amount", errors, positive=True, required=True)
    if "delivery" in fields:
        check_text(data, "delivery", errors, MAX_LENGTH["ref"])


def recorded_in_the_future(day: date, today: date) -> bool:
    """Whether an entry entered in the pages or the API is dated after today (it records what
    happened, so it may not be; a data package may carry any date).

    >>> recorded_in_the_future(date(2020, 3, 17), date(2020, 3, 16)), recorded_in_the_future(date(2020, 3, 16), date(2020, 3, 16))
    (True, False)
    """
    return day > today
