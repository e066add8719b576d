"""Needs: what a firm (usually a leading firm) needs, by when, on which article-10 terms."""
from matchmaker.models import Need
from matchmaker.models.need import STATUSES, TERMS
from matchmaker.services.support import common
from matchmaker.services import postings

FIELDS = ("ref", "firm", "category", "quantity", "needed_by", "max_unit_price", "terms", "status", "note",
          "version")
_ATTRS = {"category": "category_code"}


def _validate(data, errors, row):
    """The data-package rules for a need (row is None when creating)."""
    creating = row is None
    postings.check_fields(data, FIELDS, errors)
    common.check_text(data, "ref", errors, 64)
    if creating or "category" in data:
        common.category_or_error(data.get("category"), errors)
    common.check_number(data, "quantity", errors, positive=True, required=creating or "quantity" in data)
    common.check_date(data, "needed_by", errors, required=creating or "needed_by" in data)
    common.check_number(data, "max_unit_price", errors, positive=True)
    common.check_choices(data, "terms", errors, TERMS, many=True)
    common.check_choices(data, "status", errors, STATUSES)
    common.check_text(data, "note", errors, 4000)


def _build(data):
    """Model attributes from validated fields (only those given)."""
    out = {}
    for key, value in data.items():
        if key in ("ref", "firm", "version"):
            continue
        if key == "terms" and value is None:
            value = []
        if key == "status" and value is None:
            value = "open"
        out[_ATTRS.get(key, key)] = value
    return out


def create_need(actor, data):
    """Post a need for the actor's firm (admins: for `data['firm']`); returns the Need."""
    return postings.create(Need, "need", "N", actor, data, _validate, _build)


def get_need(actor, need_id):
    """The need with this id, if the actor may read it (else NotFound)."""
    return postings.get_readable(Need, "need", actor, need_id)


def get_need_by_ref(actor, ref):
    """The need with this ref, if the actor may read it (else NotFound)."""
    return postings.get_readable_by_ref(Need, "need", actor, ref)


def update_need(actor, need_id, data):
    """Edit a need's fields (optional `version` guards against lost updates); returns the Need."""
    return postings.update(Need, "need", actor, need_id, data, _validate, _build)


def close_need(actor, need_id, version=None):
    """Close a need; `signals.posting_closed` lets the matcher lapse its proposals."""
    return postings.close(Need, "need", actor, need_id, version)


def list_needs(actor, filters=None, page=1, page_size=50):
    """(needs, total) the actor may read; filters: category, region, kind, status, firm."""
    return postings.list_rows(Need, actor, filters, page, page_size)
