"""Offers: capacity a firm (usually an SME) offers, from when, how far it delivers, what help it asks."""
from matchmaker.models import Offer
from matchmaker.models.need import STATUSES
from matchmaker.models.offer import HELP_KINDS
from matchmaker.services.support import common
from matchmaker.services import postings

FIELDS = ("ref", "firm", "category", "quantity", "available_from", "available_until", "lead_time_days",
          "unit_price", "delivery_radius_km", "help_wanted", "status", "note", "version")
_ATTRS = {"category": "category_code"}


def _validate(data, errors, row):
    """The data-package rules for an offer (row is None when creating)."""
    creating = row is None
    postings.check_fields(data, FIELDS, errors)
    common.check_text(data, "ref", errors, 64)
    if creating or "category" in data:
        common.category_or_error(data.get("category"), errors)
    common.check_number(data, "quantity", errors, positive=True, required=creating or "quantity" in data)
    common.check_date(data, "available_from", errors, required=creating or "available_from" in data)
    common.check_date(data, "available_until", errors)
    common.check_int(data, "lead_time_days", errors)
    common.check_number(data, "unit_price", errors, positive=True)
    common.check_number(data, "delivery_radius_km", errors, positive=True, maximum=50000)
    common.check_choices(data, "help_wanted", errors, HELP_KINDS, many=True)
    common.check_choices(data, "status", errors, STATUSES)
    common.check_text(data, "note", errors, 4000)
    if not errors.get("available_from") and not errors.get("available_until"):
        start = data["available_from"] if "available_from" in data else getattr(row, "available_from", None)
        until = data["available_until"] if "available_until" in data else getattr(row, "available_until", None)
        if start is not None and until is not None and until < start:
            errors.setdefault("available_until", []).append("must not be before available_from")


def _build(data):
    """Model attributes from validated fields (only those given)."""
    out = {}
    for key, value in data.items():
        if key in ("ref", "firm", "version"):
            continue
        if key == "help_wanted" and value is None:
            value = []
        if key == "status" and value is None:
            value = "open"
        if key == "lead_time_days" and value is None:
            value = 0
        out[_ATTRS.get(key, key)] = value
    return out


def create_offer(actor, data):
    """Post an offer for the actor's firm (admins: for `data['firm']`); returns the Offer."""
    return postings.create(Offer, "offer", "O", actor, data, _validate, _build)


def get_offer(actor, offer_id):
    """The offer with this id, if the actor may read it (else NotFound)."""
    return postings.get_readable(Offer, "offer", actor, offer_id)


def get_offer_by_ref(actor, ref):
    """The offer with this ref, if the actor may read it (else NotFound)."""
    return postings.get_readable_by_ref(Offer, "offer", actor, ref)


def update_offer(actor, offer_id, data):
    """Edit an offer's fields (optional `version` guards against lost updates); returns the Offer."""
    return postings.update(Offer, "offer", actor, offer_id, data, _validate, _build)


def close_offer(actor, offer_id, version=None):
    """Close an offer; `signals.posting_closed` lets the matcher lapse its proposals."""
    return postings.close(Offer, "offer", actor, offer_id, version)


def list_offers(actor, filters=None, page=1, page_size=50):
    """(offers, total) the actor may read; filters: category, region, kind, status, firm."""
    return postings.list_rows(Offer, actor, filters, page, page_size)
