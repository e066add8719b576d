"""Firm pages: needs (leading firms), capacity and status (SMEs), proposals, chain map, breaks."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.infra.labels import label
from matchmaker.infra.security import partner_query_limits
from matchmaker.services import alternates, categories, matching
from matchmaker.services import needs as needs_service
from matchmaker.services import offers as offers_service
from matchmaker.services import firms as firms_service
from matchmaker.services.support.errors import DomainError
from matchmaker.web import queries
from matchmaker.web.forms import NeedForm, OfferForm, StatusForm, opts
from matchmaker.web.helpers import PER_PAGE, Page, apply_errors, flash_error, is_en, ok, paginate, role_required
from matchmaker.web.products import accepts_pickers, picker, posted_accepts, posted_goods

bp = Blueprint("firm", __name__, url_prefix="/firm")

firm_only = role_required("firm")


def _actor():
    return current_user._get_current_object()


def _page_number():
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def _category_choices():
    """Category pick list: 'code · name (unit)'; names in English when the page is."""
    rows, _total = categories.list_categories(page_size=10000)
    return opts([("", _("Choose a category"))] + [
        (c.code, f"{c.code} · {(c.name_en if is_en() and c.name_en else c.name)} ({c.unit})") for c in rows
    ])


def _list_page(list_fn, status):
    page = _page_number()
    filters = {"status": status} if status in ("open", "closed") else {}
    items, total = list_fn(_actor(), filters, page=page, page_size=PER_PAGE)
    return Page(items, page, PER_PAGE, total)


# --- needs ------------------------------------------------------------------------------------

@bp.route("/needs")
@firm_only
def needs():
    """The firm's needs, open first, a page at a time."""
    status = request.args.get("status", "open")
    return render_template("firm/needs.html", page=_list_page(needs_service.list_needs, status), status=status)


@bp.route("/needs/new", methods=["GET", "POST"])
@firm_only
def need_new():
    """Post a need with the article-10 terms the firm offers."""
    return _need_form(None)


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@firm_only
def need_edit(need_id):
    """Edit an open need."""
    return _need_form(need_id)


def _need_form(need_id):
    row = needs_service.get_need(_actor(), need_id) if need_id else None
    form = NeedForm(obj=None)
    form.category.choices = _category_choices()
    if request.method == "GET" and row is not None:
        form.product.data = row.product_code
        form.category.data = row.category_code
        form.quantity.data = row.quantity
        form.needed_by.data = row.needed_by
        form.max_unit_price.data = row.max_unit_price
        form.terms.data = list(row.terms or [])
        form.days_of_stock.data = row.days_of_stock
        form.note.data = row.note
    top_errors = []
    goods, goods_ok = posted_goods(form) if form.validate_on_submit() else (None, False)
    accepts, accepts_ok = posted_accepts(form) if request.method == "POST" else ([], True)
    if goods_ok and accepts_ok:
        data = {
            **goods, "accepts": accepts, "quantity": form.quantity.data, "needed_by": form.needed_by.data,
            "max_unit_price": form.max_unit_price.data, "terms": form.terms.data or [], "note": form.note.data or None,
            "days_of_stock": form.days_of_stock.data,
        }
        try:
            if row is None:
                saved = needs_service.create_need(_actor(), data)
                ok(_("Need %(ref)s posted.", ref=saved.ref))
            else:
                data["version"] = int(request.form.get("version") or row.version)
                saved = needs_service.update_need(_actor(), row.id, data)
                ok(_("Need %(ref)s saved.", ref=saved.ref))
            return redirect(url_for("firm.needs"))
        except DomainError as exc:  # Invalid (field errors) included
            top_errors = apply_errors(form, exc)
    status = 422 if (form.errors or top_errors or not accepts_ok) else 200
    stored = list(row.accepts or []) if (request.method == "GET" and row is not None) else None
    return render_template("firm/need_form.html", form=form, row=row, top_errors=top_errors,
                           picker=picker(form.product.data, form.category.data),
                           accepts=accepts_pickers(form, stored)), status


@bp.route("/needs/<int:need_id>/close", methods=["POST"])
@firm_only
def need_close(need_id):
    """Close a need (its waiting proposals lapse)."""
    try:
        row = needs_service.close_need(_actor(), need_id)
        ok(_("Need %(ref)s closed.", ref=row.ref))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm.needs"))


@bp.route("/needs/<int:need_id>/partners")
@firm_only
@partner_query_limits
def best_partners(need_id):
    """The best-placed suppliers for one need, with the reasons."""
    row = needs_service.get_need(_actor(), need_id)
    partners = matching.best_partners(_actor(), "need", need_id, n=10)
    return render_template("firm/partners.html", need=row, partners=partners)


# --- offers (capacity) -------------------------------------------------------------------------

@bp.route("/offers")
@firm_only
def offers():
    """The firm's capacity postings, open first, a page at a time."""
    status = request.args.get("status", "open")
    return render_template("firm/offers.html", page=_list_page(offers_service.list_offers, status), status=status)


@bp.route("/offers/new", methods=["GET", "POST"])
@firm_only
def offer_new():
    """Post capacity and the help wanted."""
    return _offer_form(None)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@firm_only
def offer_edit(offer_id):
    """Edit a capacity posting."""
    return _offer_form(offer_id)


def _offer_form(offer_id):
    row = offers_service.get_offer(_actor(), offer_id) if offer_id else None
    form = OfferForm()
    form.category.choices = _category_choices()
    if request.method == "GET" and row is not None:
        for name in ("quantity", "available_from", "available_until", "lead_time_days", "unit_price",
                     "delivery_radius_km", "note"):
            getattr(form, name).data = getattr(row, name)
        form.product.data = row.product_code
        form.category.data = row.category_code
        form.help_wanted.data = list(row.help_wanted or [])
    top_errors = []
    goods, goods_ok = posted_goods(form) if form.validate_on_submit() else (None, False)
    if goods_ok:
        data = {name: getattr(form, name).data for name in (
            "quantity", "available_from", "available_until", "lead_time_days", "unit_price", "delivery_radius_km")}
        data.update(goods)
        data["lead_time_days"] = data["lead_time_days"] or 0
        data["help_wanted"] = form.help_wanted.data or []
        data["note"] = form.note.data or None
        try:
            if row is None:
                saved = offers_service.create_offer(_actor(), data)
                ok(_("Capacity %(ref)s posted.", ref=saved.ref))
            else:
                data["version"] = int(request.form.get("version") or row.version)
                saved = offers_service.update_offer(_actor(), row.id, data)
                ok(_("Capacity %(ref)s saved.", ref=saved.ref))
            return redirect(url_for("firm.offers"))
        except DomainError as exc:
            top_errors = apply_errors(form, exc)
    status = 422 if (form.errors or top_errors) else 200
    return render_template("firm/offer_form.html", form=form, row=row, top_errors=top_errors,
                           picker=picker(form.product.data, form.category.data)), status


@bp.route("/offers/<int:offer_id>/close", methods=["POST"])
@firm_only
def offer_close(offer_id):
    """Withdraw a capacity posting."""
    try:
        row = offers_service.close_offer(_actor(), offer_id)
        ok(_("Capacity %(ref)s closed.", ref=row.ref))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm.offers"))


# --- status -------------------------------------------------------------------------------------

@bp.route("/status", methods=["GET", "POST"])
@firm_only
def status():
    """Report the firm's resumption status: operating, capacity, workers back, blockers."""
    firm = _actor().firm
    form = StatusForm()
    form.blockers.choices = opts((code, label(code, "factor")) for code in firms_service.reportable_blockers())
    if request.method == "GET":
        form.operating.data = bool(firm.operating)
        form.capacity_utilization.data = None if firm.capacity_utilization is None else round(firm.capacity_utilization * 100)
        form.workers_back.data = None if firm.workers_back is None else round(firm.workers_back * 100)
        form.blockers.data = list(firm.blockers or [])
        form.expected_restart.data = firm.expected_restart
        form.contact_person.data = firm.contact_person
        form.contact_phone.data = firm.contact_phone
    top_errors = []
    if form.validate_on_submit():
        data = {
            "operating": bool(form.operating.data),
            "capacity_utilization": None if form.capacity_utilization.data is None else form.capacity_utilization.data / 100,
            "workers_back": None if form.workers_back.data is None else form.workers_back.data / 100,
            "blockers": form.blockers.data or [],
            "expected_restart": form.expected_restart.data,
            "contact_person": (form.contact_person.data or "").strip() or None,
            "contact_phone": (form.contact_phone.data or "").strip() or None,
        }
        try:
            firms_service.update_firm_status(_actor(), firm.id, data)
            ok(_("Status saved."))
            return redirect(url_for("firm.status"))
        except DomainError as exc:
            top_errors = apply_errors(form, exc)
    code = 422 if (form.errors or top_errors) else 200
    return render_template("firm/status.html", form=form, firm=firm, top_errors=top_errors), code


# --- proposals ------------------------------------------------------------------------------------

@bp.route("/proposals")
@firm_only
def proposals():
    """Proposals for the firm's needs and offers, those waiting for it first, with reasons."""
    state = request.args.get("state", "waiting")
    if state not in ("waiting", "open", "active", "closed"):
        state = "waiting"
    rows = queries.proposals(_actor(), state)
    return render_template("firm/proposals.html", page=paginate(rows, per_page=10), state=state,
                           side=lambda p: queries.my_side(_actor(), p),
                           waiting=lambda p: queries.waiting_for(_actor(), p))


@bp.route("/proposals/<int:proposal_id>/<any(accept, decline):decision>", methods=["POST"])
@firm_only
def proposal_decide(proposal_id, decision):
    """Accept or decline a proposal for this firm's side."""
    try:
        if decision == "accept":
            p = matching.accept_pairing(_actor(), proposal_id)
            ok(_("You accepted the proposal; the partner has accepted too, the link is made.")
               if p.status == "active" else _("You accepted the proposal; now the partner must accept."))
        else:
            matching.decline_pairing(_actor(), proposal_id)
            ok(_("You declined the proposal."))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm.proposals", state=request.form.get("state") or "waiting"))


# --- chain map and breaks -------------------------------------------------------------------------------

@bp.route("/chain")
@firm_only
def chain_map():
    """The firm's upstream chain drawn by tier, broken links in red."""
    graph = queries.chain_graph(_actor(), _actor().firm_id)
    return render_template("firm/chain.html", firm=_actor().firm, graph=graph)


@bp.route("/breaks")
@firm_only
def breaks():
    """Breaks in this firm's supply from the latest weekly report."""
    view = queries.firm_breaks(_actor())
    # alternates are the buyer's: a firm that is the supplier of a break sees the break, not them
    return render_template("firm/breaks.html", view=view, page=paginate(view["breaks"]), own_ref=_actor().firm.ref,
                           alternates_of=lambda b: alternates.break_alternates(_actor(), b["id"]))


@bp.route("/breaks/<int:break_id>/alternates", methods=["POST"])
@firm_only
def break_alternate(break_id):
    """Turn an alternate supplier of one of the firm's breaks into a proposal to both sides."""
    try:
        alternates.propose_alternate(_actor(), break_id, request.form.get("offer", ""))
        ok(_("The alternate is proposed to you and the supplier; see your proposals."))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm.breaks"))
