"""Firm pages for supply links: the links the firm is party to, the requests awaiting its
confirmation (confirm or decline), its own requests (withdraw), and recording a new link."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.services import categories
from matchmaker.services import links as links_service
from matchmaker.services.support.errors import DomainError
from matchmaker.web.forms import LinkForm, opts
from matchmaker.web.helpers import PER_PAGE, Page, apply_errors, flash_error, is_en, ok, role_required
from matchmaker.web.products import picker, posted_goods

bp = Blueprint("firm_links", __name__, url_prefix="/firm/links")

firm_only = role_required("firm")
ANSWERED_SHOWN = 20


def _actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _awaiting_count():
    """`links_awaiting()` for the navigation: requests awaiting the signed-in firm's answer."""
    def links_awaiting():
        user = current_user._get_current_object() if current_user.is_authenticated else None
        return links_service.awaiting_count(user) if user is not None else 0

    return {"links_awaiting": links_awaiting}


def _form():
    form = LinkForm()
    rows, _total = categories.list_categories(page_size=10000)
    form.category.choices = opts([("", _("Choose a category"))] + [
        (c.code, f"{c.code} · {(c.name_en if is_en() and c.name_en else c.name)} ({c.unit})") for c in rows])
    return form


@bp.route("", methods=["GET", "POST"])
@firm_only
def index():
    """The firm's links, what awaits its confirmation, its own requests, and a form to record a link."""
    actor = _actor()
    form = _form()
    top_errors = []
    goods, goods_ok = posted_goods(form) if form.validate_on_submit() else (None, False)
    if goods_ok:
        own = actor.firm.ref
        data = {"supplier": own if form.side.data == "supplier" else form.other.data.strip(),
                "buyer": own if form.side.data == "buyer" else form.other.data.strip(),
                **goods, "quantity_per_week": form.quantity_per_week.data, "terms": form.terms.data or []}
        try:
            links_service.create_link(actor, data)
            ok(_("Link recorded. It takes effect when %(ref)s confirms it.", ref=form.other.data.strip()))
            return redirect(url_for("firm_links.index"))
        except DomainError as exc:
            top_errors = apply_errors(form, exc, {"supplier": "other", "buyer": "other"})
    try:
        page_number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page_number = 1
    rows, total = links_service.list_links(actor, {}, page=page_number, page_size=PER_PAGE)
    incoming, _n = links_service.list_link_requests(
        actor, {"direction": "incoming", "status": links_service.AWAITING}, page_size=500)
    outgoing, _n = links_service.list_link_requests(actor, {"direction": "outgoing"}, page_size=ANSWERED_SHOWN)
    status = 422 if (form.errors or top_errors) else 200
    return render_template("firm/links.html", form=form, top_errors=top_errors, incoming=incoming,
                           outgoing=outgoing, page=Page(rows, page_number, PER_PAGE, total),
                           picker=picker(form.product.data, form.category.data)), status


@bp.route("/requests/<int:request_id>/<any(confirm, decline, withdraw):decision>", methods=["POST"])
@firm_only
def decide(request_id, decision):
    """Confirm or decline a request awaiting the firm, or withdraw one it made."""
    answer = {"confirm": links_service.confirm_link_request, "decline": links_service.decline_link_request,
              "withdraw": links_service.withdraw_link_request}[decision]
    try:
        answer(_actor(), request_id)
        ok({"confirm": _("You confirmed it; the link is in effect."),
            "decline": _("You declined it; nothing changed."),
            "withdraw": _("You withdrew your request.")}[decision])
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm_links.index"))


@bp.route("/<int:link_id>/deactivate", methods=["POST"])
@firm_only
def deactivate(link_id):
    """End a link (the relationship ended): either side may, at once."""
    try:
        row = links_service.deactivate_link(_actor(), link_id)
        ok(_("Link %(ref)s ended.", ref=row.ref))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm_links.index"))
