"""The rules of whole records: which fields a firm, need, offer, link or account has, which are
required, what each may hold, and the rules across fields.

Each ``check_*`` function reads a record as a service receives it (a dict of the fields being
set) and collects every broken rule in ``errors``; it touches no database.  The services add
what only the database can tell (a category, region or firm exists; a ref or credit code is
free; a quantity is not below what is already committed).  The cross-field rules are also
functions of their own (`ends_before_start`, `due_in_the_past`, `supplies_itself`, `reported_risk_zone`), which
the data-package validator applies too, phrased for its readers.
"""
from datetime import date
from typing import Optional

from matchmaker.errors import Message
from matchmaker.rules.checks import (add, check_bool, check_choices, check_date, check_fields, check_int,
                                     check_number, check_text)
from matchmaker.rules.products import check_accepts, check_product
from matchmaker.rules.values import MAX_LENGTH, MAX_RADIUS_KM, credit_code_valid, is_email, is_phone
from matchmaker.rules.vocabulary import HELP_KINDS, KINDS, LOCALES, REPORTABLE_BLOCKERS, ROLES, STATUSES, TERMS

__all__ = [
    "ACCOUNT_FIELDS", "FIRM_FIELDS", "LINK_FIELDS", "NEED_FIELDS", "OFFER_FIELDS", "REGISTRY_FIELDS",
    "STATUS_FIELDS", "check_account", "check_firm", "check_link", "check_need", "check_offer",
    "due_in_the_past", "ends_before_start", "reported_risk_zone", "supplies_itself",
]

NEED_FIELDS = ("ref", "firm", "category", "product", "accepts", "quantity", "needed_by", "max_unit_price", "terms",
               "status", "note", "days_of_stock", "version")
OFFER_FIELDS = ("ref", "firm", "category", "product", "quantity", "available_from", "available_until",
                "lead_time_days", "unit_price", "delivery_radius_km", "help_wanted", "status", "note", "version")
LINK_FIELDS = ("ref", "supplier", "buyer", "category", "product", "quantity_per_week", "active", "terms", "version")
#: What a firm's own users report about it; everything else is registry data only admins change.
STATUS_FIELDS = ("operating", "capacity_utilization", "workers_back", "blockers", "park", "contact_email",
                 "expected_restart",
                 "contact_person", "contact_phone")
REGISTRY_FIELDS = ("ref", "name", "kind", "region", "industry", "credit_code")
FIRM_FIELDS = REGISTRY_FIELDS + STATUS_FIELDS
ACCOUNT_FIELDS = ("email", "name", "password", "role", "firm", "region", "locale")


# --- rules across fields ------------------------------------------------------------------------

def ends_before_start(start: Optional[date], until: Optional[date]) -> bool:
    """Whether an offer's availability ends before it starts (the same day is fine).

    >>> ends_before_start(date(2020, 3, 2), date(2020, 3, 1)), ends_before_start(date(2020, 3, 2), None)
    (True, False)
    """
    return start is not None and until is not None and until < start


def due_in_the_past(day: Optional[date], today: date) -> bool:
    """Whether a need's or an offer's due date, entered in the pages or the API, is before the
    service's today (the day itself is fine; a data package may carry any date, as an ERP export
    holds history).

    >>> due_in_the_past(date(2020, 3, 15), date(2020, 3, 16)), due_in_the_past(date(2020, 3, 16), date(2020, 3, 16))
    (True, False)
    >>> due_in_the_past(None, date(2020, 3, 16))
    False
    """
    return isinstance(day, date) and day < today


def supplies_itself(supplier, buyer) -> bool:
    """Whether a link would have a firm supply itself (refs, or rows, compared).

    >>> supplies_itself("F1", "F1"), supplies_itself("F1", "F2"), supplies_itself(None, None)
    (True, False, False)
    """
    return supplier is not None and supplier == buyer


def reported_risk_zone(blockers) -> bool:
    """Whether reported blockers name risk_zone, which comes from the county's risk, never a report."""
    return "risk_zone" in (blockers or [])


# --- records ------------------------------------------------------------------------------------

def check_need(data: dict, errors: dict, creating: bool) -> None:
    """The rules of a need's fields (all given fields; the required ones when creating)."""
    check_fields(data, NEED_FIELDS, errors)
    check_text(data, "ref", errors, MAX_LENGTH["ref"])
    check_product(data, "product", errors)
    check_accepts(data, errors)
    check_number(data, "quantity", errors, positive=True, required=creating or "quantity" in data)
    check_date(data, "needed_by", errors, required=creating or "needed_by" in data)
    check_number(data, "max_unit_price", errors, positive=True)
    check_choices(data, "terms", errors, TERMS, many=True)
    check_choices(data, "status", errors, STATUSES)
    check_text(data, "note", errors, MAX_LENGTH["note"])
    check_int(data, "days_of_stock", errors)


def check_offer(data: dict, errors: dict, stored=None) -> None:
    """The rules of an offer's fields; `stored` is the offer being changed (None when creating),
    whose dates count where `data` leaves them unchanged."""
    creating = stored is None
    check_fields(data, OFFER_FIELDS, errors)
    check_text(data, "ref", errors, MAX_LENGTH["ref"])
    check_product(data, "product", errors)
    check_number(data, "quantity", errors, positive=True, required=creating or "quantity" in data)
    check_date(data, "available_from", errors, required=creating or "available_from" in data)
    check_date(data, "available_until", errors)
    check_int(data, "lead_time_days", errors)
    check_number(data, "unit_price", errors, positive=True)
    check_number(data, "delivery_radius_km", errors, positive=True, maximum=MAX_RADIUS_KM)
    check_choices(data, "help_wanted", errors, HELP_KINDS, many=True)
    check_choices(data, "status", errors, STATUSES)
    check_text(data, "note", errors, MAX_LENGTH["note"])
    if not errors.get("available_from") and not errors.get("available_until"):
        start = data["available_from"] if "available_from" in data else getattr(stored, "available_from", None)
        until = data["available_until"] if "available_until" in data else getattr(stored, "available_until", None)
        if ends_before_start(start, until):
            add(errors, "available_until", "must not be before available_from")


def check_link(data: dict, errors: dict, creating: bool) -> None:
    """The rules of a link's own fields (its supplier and buyer are firms the service looks up)."""
    check_fields(data, LINK_FIELDS, errors)
    check_text(data, "ref", errors, MAX_LENGTH["ref"])
    check_product(data, "product", errors)
    check_number(data, "quantity_per_week", errors, positive=True, required=creating or "quantity_per_week" in data)
    check_bool(data, "active", errors)
    check_choices(data, "terms", errors, TERMS, many=True)


def check_firm(data: dict, errors: dict, creating: bool) -> None:
    """The rules of a firm's fields but its region and industry (codes the service looks up).
    A valid credit code is upper-cased in `data`."""
    check_fields(data, FIRM_FIELDS + ("version",), errors)
    check_text(data, "ref", errors, MAX_LENGTH["ref"], required=creating)
    check_text(data, "name", errors, MAX_LENGTH["name"], required=creating or "name" in data)
    check_choices(data, "kind", errors, KINDS, required=creating or "kind" in data)
    check_text(data, "park", errors, MAX_LENGTH["park"])
    if data.get("credit_code") not in (None, ""):
        if not credit_code_valid(data["credit_code"]):
            add(errors, "credit_code", "not a valid unified social credit code (check digit)")
        else:
            data["credit_code"] = data["credit_code"].upper()
    check_bool(data, "operating", errors)
    check_date(data, "expected_restart", errors)
    check_number(data, "capacity_utilization", errors, ratio=True)
    check_number(data, "workers_back", errors, ratio=True)
    if data.get("blockers") is not None and reported_risk_zone(data["blockers"]):
        add(errors, "blockers", "risk_zone is derived from the county's risk, never reported")
    else:
        check_choices(data, "blockers", errors, REPORTABLE_BLOCKERS, many=True)
    if data.get("contact_email") not in (None, ""):
        check_text(data, "contact_email", errors, MAX_LENGTH["contact_email"])
        if isinstance(data["contact_email"], str) and not is_email(data["contact_email"]):
            add(errors, "contact_email", "not an e-mail address")
    check_text(data, "contact_person", errors, MAX_LENGTH["contact_person"])
    if data.get("contact_phone") not in (None, ""):
        check_text(data, "contact_phone", errors, MAX_LENGTH["contact_phone"])
        if isinstance(data["contact_phone"], str) and not errors.get("contact_phone") \
                and not is_phone(data["contact_phone"]):
            add(errors, "contact_phone", "not a telephone number")


def check_account(data: dict, errors: dict) -> None:
    """The rules of a new account: texts, role and language; a firm user has a firm and no region,
    task-force staff a region and no firm, an admin neither."""
    check_fields(data, ACCOUNT_FIELDS, errors)
    check_text(data, "email", errors, MAX_LENGTH["email"], required=True)
    check_text(data, "name", errors, MAX_LENGTH["name"])
    check_text(data, "password", errors, MAX_LENGTH["password"], required=True)
    check_choices(data, "role", errors, ROLES, required=True)
    check_text(data, "firm", errors, MAX_LENGTH["firm"])
    if isinstance(data.get("region"), str):
        check_text(data, "region", errors, MAX_LENGTH["region"])
    check_choices(data, "locale", errors, LOCALES)
    if data.get("role") in ("firm", "admin") and data.get("region"):
        add(errors, "region", Message("not used for role %(role)s", role=data["role"]))
    if data.get("role") in ("staff", "admin") and data.get("firm"):
        add(errors, "firm", Message("not used for role %(role)s", role=data["role"]))
