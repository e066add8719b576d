"""Needs: what a firm (usually a leading firm) needs, by when, on which article-10 terms."""
from typing import Optional

from matchmaker import rules
from matchmaker.infra import clock
from matchmaker.models import Need, User
from matchmaker.services import postings
from matchmaker.services.support import common, goods


#: The field message of a due date before the service's today (pages and API; packages may hold history).
PAST_DUE = "must not be before today"


def _validate(data: dict, errors: dict, row: Optional[Need]) -> None:
    """The rules of a need (`rules.check_need`; a due date given is not before today), then its
    category, product and accepts against the catalogue (row is None when creating)."""
    rules.check_need(data, errors, row is None)
    if (not errors.get("needed_by") and data.get("needed_by") != getattr(row, "needed_by", None)
            and rules.due_in_the_past(data.get("needed_by"), clock.today())):
        rules.add(errors, "needed_by", PAST_DUE)
    goods.resolve_goods(data, errors, row)


def _build(data: dict) -> dict:
    """Model attributes from validated fields (only those given)."""
    return common.row_values(data, ("ref", "firm", "version"), {"terms": list, "accepts": list, "status": "open"})


def create_need(actor: User, data: dict) -> Need:
    """Post a need for the actor's firm (admins: for `data['firm']`); returns the Need."""
    return postings.create(Need, "need", "N", actor, data, _validate, _build)


def get_need(actor: User, need_id: int) -> Need:
    """The need with this id, if the actor may read it (else NotFound)."""
    return postings.get_readable(Need, "need", actor, need_id)


def get_need_by_ref(actor: User, ref: str) -> Need:
    """The need with this ref, if the actor may read it (else NotFound)."""
    return postings.get_readable_by_ref(Need, "need", actor, ref)


def update_need(actor: User, need_id: int, data: dict) -> Need:
    """Edit a need's fields (optional `version` guards against lost updates); returns the Need."""
    return postings.update(Need, "need", actor, need_id, data, _validate, _build)


def close_need(actor: User, need_id: int, version: Optional[int] = None) -> Need:
    """Close a need; `signals.posting_closed` lets the matcher lapse its proposals."""
    return postings.close(Need, "need", actor, need_id, version)


def list_needs(actor: User, filters: Optional[dict] = None, page: int = 1,
               page_size: int = 50) -> tuple[list[Need], int]:
    """(needs, total) the actor may read; filters: category, region, kind, status, firm."""
    return postings.list_rows(Need, actor, filters, page, page_size)
