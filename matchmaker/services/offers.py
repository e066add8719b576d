"""Offers: capacity a firm (usually an SME) offers, from when, how far it delivers, what help it asks."""
from typing import Optional

from matchmaker import rules
from matchmaker.infra import clock
from matchmaker.models import Offer, User
from matchmaker.services import postings
from matchmaker.services.needs import PAST_DUE
from matchmaker.services.support import common, goods


def _validate(data: dict, errors: dict, row: Optional[Offer]) -> None:
    """The rules of an offer (`rules.check_offer`, against the stored dates when changing one),
    then its category and product against the catalogue (row is None when creating)."""
    rules.check_offer(data, errors, row)
    if (not errors.get("available_until") and data.get("available_until") != getattr(row, "available_until", None)
            and rules.due_in_the_past(data.get("available_until"), clock.today())):
        rules.add(errors, "available_until", PAST_DUE)
    goods.resolve_goods(data, errors, row)


def _build(data: dict) -> dict:
    """Model attributes from validated fields (only those given)."""
    return common.row_values(data, ("ref", "firm", "version"),
                             {"help_wanted": list, "status": "open", "lead_time_days": 0})


def create_offer(actor: User, data: dict) -> Offer:
    """Post an offer for the actor's firm (admins: for `data['firm']`); returns the Offer."""
    return postings.create(Offer, "offer", "O", actor, data, _validate, _build)


def get_offer(actor: User, offer_id: int) -> Offer:
    """The offer with this id, if the actor may read it (else NotFound)."""
    return postings.get_readable(Offer, "offer", actor, offer_id)


def get_offer_by_ref(actor: User, ref: str) -> Offer:
    """The offer with this ref, if the actor may read it (else NotFound)."""
    return postings.get_readable_by_ref(Offer, "offer", actor, ref)


def update_offer(actor: User, offer_id: int, data: dict) -> Offer:
    """Edit an offer's fields (optional `version` guards against lost updates); returns the Offer."""
    return postings.update(Offer, "offer", actor, offer_id, data, _validate, _build)


def close_offer(actor: User, offer_id: int, version: Optional[int] = None) -> Offer:
    """Close an offer; `signals.posting_closed` lets the matcher lapse its proposals."""
    return postings.close(Offer, "offer", actor, offer_id, version)


def list_offers(actor: User, filters: Optional[dict] = None, page: int = 1,
                page_size: int = 50) -> tuple[list[Offer], int]:
    """(offers, total) the actor may read; filters: category, region, kind, status, firm."""
    return postings.list_rows(Offer, actor, filters, page, page_size)
