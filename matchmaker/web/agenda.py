"""The dispatch meeting's pages (issue 12, items 2, 3 and 5): a region's agenda of a week, meeting
mode (one item at a time, a decision each), the printable agenda, its .xlsx and the one-page summary."""
from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.infra.labels import LABELS, label
from matchmaker.services import agenda, reports
from matchmaker.services.support import lookups
from matchmaker.services.support.errors import DomainError
from matchmaker.web.agenda_forms import DecisionForm, OutcomeForm
from matchmaker.web.forms import opts
from matchmaker.web.helpers import apply_errors, flash_error, is_en, ok, role_required

bp = Blueprint("agenda", __name__, url_prefix="/taskforce/agenda")
staff_only = role_required("staff", "admin")
PRINT_CONCERNING = 10  # items of the region's firms owned elsewhere on the paper agenda (all are on the page)


def _actor():
    return current_user._get_current_object()


def _where():
    return {"week": request.args.get("week") or None, "region": request.args.get("region") or None}


def _decision_form(item=None, formdata=None):
    form = DecisionForm(formdata=formdata, prefix="d")
    form.departments.choices = opts((code, text) for code, text in LABELS["department"].items())
    form.assignee.choices = opts([("", _("Nobody in particular"))] + [
        (str(u.id), f"{u.name} · {u.region.name if u.region else ''}") for u in lookups.list_staff(_actor())])
    if item is not None and formdata is None:
        form.key.data = item["key"]
        form.decision.data = item["decision"] or ""
        form.departments.data = item["departments"]
        form.assignee.data = str(item["assignee_id"] or "")
        form.due.data = item["due"]
    return form


@bp.route("")
@staff_only
def index():
    """A region's agenda of a week: its items by stake, last week's decisions, matching, fragility."""
    if reports.latest_report_id() is None:
        return render_template("agenda/agenda.html", data=None)
    data = agenda.region_agenda(_actor(), **_where(), sort=request.args.get("sort") or "stake")
    return render_template("agenda/agenda.html", data=data, outcome=OutcomeForm(prefix="o"),
                           discuss_stake=agenda.discuss_stake())


@bp.route("/meeting")
@staff_only
def meeting():
    """Meeting mode: the agenda's items one at a time (those to discuss, then the routine ones), each
    with the decision form."""
    data = agenda.region_agenda(_actor(), **_where())
    n = min(max(request.args.get("i", 0, type=int), 0), len(data["walk"]))
    item = data["walk"][n] if n < len(data["walk"]) else None
    return render_template("agenda/meeting.html", data=data, item=item, n=n, form=_decision_form(item),
                           log=agenda.item_log(_actor(), item["key"]) if item else [],
                           breaks=agenda.item_breaks(_actor(), data["week"], item) if item else [])


@bp.route("/decide", methods=["POST"])
@staff_only
def decide():
    """Record the decision on one item and go on to the next."""
    n = request.args.get("i", 0, type=int)
    form = _decision_form(formdata=request.form)
    if form.validate_on_submit():
        try:
            agenda.record_decision(_actor(), form.key.data, form.decision.data, departments=form.departments.data,
                                   assignee_id=int(form.assignee.data) if form.assignee.data else None,
                                   due=form.due.data)
            ok(_("The decision is recorded."))
            return redirect(url_for("agenda.meeting", i=n + 1, region=request.args.get("region")))
        except DomainError as exc:
            apply_errors(form, exc, {"assignee_id": "assignee"})
            if not form.errors:
                flash_error(exc)
    data = agenda.region_agenda(_actor(), region=request.args.get("region") or None)
    item = next((i for i in data["walk"] if i["key"] == form.key.data), None)
    return render_template("agenda/meeting.html", data=data, item=item, n=n, form=form,
                           log=agenda.item_log(_actor(), form.key.data) if item else [],
                           breaks=agenda.item_breaks(_actor(), data["week"], item) if item else []), 422


@bp.route("/outcome", methods=["POST"])
@staff_only
def outcome():
    """Say whether last week's decision on an item was done."""
    form = OutcomeForm(prefix="o")
    if form.validate_on_submit():
        try:
            agenda.record_outcome(_actor(), form.week.data, form.key.data, form.outcome.data, form.note.data)
            ok(_("The outcome is recorded."))
        except DomainError as exc:
            flash_error(exc)
    else:
        flash_error(DomainError(_("Say whether it was done.")))
    return redirect(url_for("agenda.index", region=request.args.get("region")))


@bp.route("/print")
@staff_only
def print_agenda():
    """The agenda as a printable A4 handout, in the reader's language."""
    data = agenda.region_agenda(_actor(), **_where())
    return render_template("agenda/print.html", data=data, summary=agenda.agenda_summary(_actor(), **_where()),
                           concerning_shown=PRINT_CONCERNING, discuss_stake=agenda.discuss_stake())


@bp.route("/summary")
@staff_only
def summary():
    """The one-page summary: new, continuing, resolved and escalated items, by level and factor."""
    return render_template("agenda/summary.html", s=agenda.agenda_summary(_actor(), **_where()))


def xlsx_words() -> dict:
    """The agenda workbook's words (sheets, headers, names of codes) in the reader's language."""
    groups = {"kind": "agenda_kind", "level": "level", "factor": "factor", "department": "department",
              "state": "status", "outcome": "outcome", "unit": "unit"}
    words = {part: {code: label(code, group) for code in LABELS[group]} for part, group in groups.items()}
    words["kind"].update({code: label(code, "break_kind") for code in LABELS["break_kind"]})
    words["yes_no"] = {True: _("Yes"), False: _("No")}
    words["sheets"] = {"items": _("Agenda"), "buyers": _("Buyers failed"), "matching": _("Matching in progress"),
                       "fragility": _("Fragility"), "last_decisions": _("Last week's decisions"),
                       "closed": _("Closed this week")}
    words["headers"] = {
        "number": "#", "state": _("State"), "kind": _("Kind"), "firm": _("Firm code"), "firm_name": _("Firm"),
        "owner_region": _("Owner region code"), "owner_region_name": _("Owner region"), "level": _("Level"),
        "factors": _("Factors"), "departments": _("Responsible departments"), "assignee": _("Assigned to"),
        "due": _("Due"), "stake": _("At stake (input-weeks)"), "weeks_open": _("Weeks open"),
        "buyers": _("Buyers failed"), "cascade": _("Firms below"), "decision": _("Decision (who does what)"),
        "buyer": _("Buyer code"), "buyer_name": _("Buyer"), "supplier": _("Supplier code"),
        "supplier_name": _("Supplier"), "category": _("Category code"), "category_name": _("Category"),
        "quantity": _("Quantity per week"), "unit": _("Unit"), "share": _("Share of the buyer's supply"),
        "tier": _("Tier"), "pending_proposals": _("Proposals waiting"), "outcome": _("Outcome"),
        "still_open": _("Still on the agenda"), "note": _("Closing note")}
    return words


@bp.route("/agenda.xlsx")
@staff_only
def xlsx():
    """The agenda as an .xlsx workbook (names beside codes, units, formats, filters)."""
    data, filename = agenda.agenda_xlsx(_actor(), xlsx_words(), "en" if is_en() else "zh", **_where())
    return send_file(data, as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
