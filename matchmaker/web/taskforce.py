"""Task-force pages: the weekly report of the user's region, break workflow, charts, .xlsx, what-if."""
from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.infra.labels import choices, label, report_vocabulary
from matchmaker.services.support import lookups
from matchmaker.services import alternates, firms, matching, reports, survival
from matchmaker.services import firms as firms_service
from matchmaker.services.support.errors import DomainError
from matchmaker.web import queries, report_views
from matchmaker.web.forms import (AssignForm, CloseForm, EscalateForm, NoteForm, ReopenForm, ReportFilterForm,
                                  StaffStatusForm, WhatIfForm, opts)
from matchmaker.web.helpers import apply_errors, flash_error, ok, paginate, role_required

bp = Blueprint("taskforce", __name__, url_prefix="/taskforce")

staff_only = role_required("staff", "admin")


def _actor():
    return current_user._get_current_object()


def _filter_form(view):
    """The report's filter form, its pick lists filled from what the report holds."""
    form = ReportFilterForm(request.args)
    any_ = [("", _("Any"))]
    form.kind.choices = opts(any_ + choices("break_kind"))
    form.factor.choices = opts(any_ + choices("factor"))
    form.level.choices = opts(any_ + choices("level"))
    form.industry.choices = opts(any_ + [(code, label(code, "industry")) for code in view.get("industries", [])])
    form.park.choices = opts(any_ + [(p, p) for p in view.get("parks", [])])
    form.state.choices = opts(any_ + [("new", _("New")), ("continuing", _("Continuing")),
                                      ("escalated", _("Escalated to us")), ("closed", label("closed", "break_status")),
                                      ("resolved", _("Resolved or closed"))])
    return form


PICK_LIST_MAX = 400  # more firms than this in scope: type their refs instead of picking from a list

FILTERS = ("kind", "factor", "level", "industry", "park", "state")


@bp.route("/report")
@staff_only
def report():
    """The weekly report of the user's region: breaks by severity, filters, counts, monitoring."""
    actor = _actor()
    filters = {k: request.args.get(k) for k in FILTERS if request.args.get(k)}

    def body():
        view = report_views.report_view(actor, week=request.args.get("week") or None, filters=filters)
        return render_template("taskforce/_report_body.html", view=view, form=_filter_form(view), filters=filters,
                               page=paginate(view["breaks"]))

    return render_template("taskforce/report.html", body=report_views.kept_body(actor, "report", body))


@bp.route("/report.xlsx")
@staff_only
def report_xlsx():
    """The week's report of the user's region as an .xlsx workbook (one sheet per part)."""
    data, filename = reports.report_xlsx(_actor(), request.args.get("week") or None, report_vocabulary())
    return send_file(data, as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/breaks/<int:break_id>", methods=["GET"])
@staff_only
def break_detail(break_id):
    """One break: what is broken, its history, and the assign / escalate / close forms."""
    brk = reports.get_break(_actor(), break_id)
    return _render_break(brk)


_FORMS = {"assign": AssignForm, "note": NoteForm, "escalate": EscalateForm, "close": CloseForm, "reopen": ReopenForm}


def _render_break(brk, status=200, **forms):
    forms = {name: forms.get(name) or cls(prefix=name) for name, cls in _FORMS.items()}
    forms["assign"].assignee.choices = opts([("", _("Choose a person"))] + [
        (str(u.id), f"{u.name} · {u.region.name if u.region else ''}") for u in lookups.list_staff(_actor())])
    brk = survival.with_survival([brk])[0]
    return render_template("taskforce/break.html", brk=brk, alts=alternates.break_alternates(_actor(), brk["id"]),
                           contacts=firms.visible_contacts(_actor(), (brk.get("buyer"), brk.get("supplier"))),
                           **forms), status


@bp.route("/breaks/<int:break_id>/<any(assign, note, escalate, close, reopen):action>", methods=["POST"])
@staff_only
def break_action(break_id, action):
    """Assign a break to a person, note what was done, escalate it a level with the reason, close it
    (销号) with a note, or reopen it."""
    brk = reports.get_break(_actor(), break_id)
    form = _FORMS[action](prefix=action)
    if action == "assign":
        form.assignee.choices = opts((str(u.id), u.name) for u in lookups.list_staff(_actor()))
    if form.validate_on_submit():
        try:
            if action == "assign":
                reports.assign_break(_actor(), break_id, int(form.assignee.data), note=form.note.data or None)
                ok(_("The break is assigned."))
            elif action == "note":
                reports.note_break(_actor(), break_id, note=form.note.data)
                ok(_("The note is added."))
            elif action == "escalate":
                reports.escalate_break(_actor(), break_id, note=form.note.data)
                ok(_("The break went up a level."))
            elif action == "reopen":
                reports.reopen_break(_actor(), break_id, note=form.note.data or None)
                ok(_("The break is reopened."))
            else:
                reports.close_break(_actor(), break_id, note=form.note.data)
                ok(_("The break is closed."))
            back = request.form.get("back")
            if back == "report":
                return redirect(url_for("taskforce.report"))
            return redirect(url_for("taskforce.break_detail", break_id=break_id))
        except DomainError as exc:
            apply_errors(form, exc, {"assignee_id": "assignee", "user": "assignee"})
            if not form.errors:
                flash_error(exc)
    return _render_break(brk, status=422, **{action: form})


@bp.route("/firms/<ref>/status", methods=["GET", "POST"])
@staff_only
def firm_status(ref):
    """Record a firm's status after a phone call (operating, capacity, workers back, blockers),
    marked as entered by staff; the firm's own next report replaces it."""
    firm = firms_service.get_firm_by_ref(_actor(), ref)
    form = StaffStatusForm()
    form.blockers.choices = opts((code, label(code, "factor")) for code in firms_service.reportable_blockers())
    if request.method == "GET":
        form.operating.data = bool(firm.operating)
        form.capacity_utilization.data = None if firm.capacity_utilization is None else round(firm.capacity_utilization * 100)
        form.workers_back.data = None if firm.workers_back is None else round(firm.workers_back * 100)
        form.blockers.data = list(firm.blockers or [])
    top_errors = []
    if form.validate_on_submit():
        data = {"operating": bool(form.operating.data),
                "capacity_utilization": None if form.capacity_utilization.data is None else form.capacity_utilization.data / 100,
                "workers_back": None if form.workers_back.data is None else form.workers_back.data / 100,
                "blockers": form.blockers.data or []}
        try:
            firms_service.record_status_by_staff(_actor(), firm.id, data)
            ok(_("The firm's status is recorded as entered by the task force."))
            return redirect(url_for("taskforce.firm_status", ref=firm.ref))
        except DomainError as exc:
            top_errors = apply_errors(form, exc)
    code = 422 if (form.errors or top_errors) else 200
    return render_template("taskforce/firm_status.html", form=form, firm=firm, top_errors=top_errors), code


@bp.route("/breaks/<int:break_id>/alternates", methods=["POST"])
@staff_only
def break_alternate(break_id):
    """Turn one of the break's alternate suppliers into a proposal to both sides (one click)."""
    try:
        alternates.propose_alternate(_actor(), break_id, request.form.get("offer", ""))
        ok(_("The alternate is proposed to the buyer and the supplier."))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("taskforce.break_detail", break_id=break_id))


@bp.route("/match", methods=["POST"])
@staff_only
def run_matcher():
    """Run the matcher now (it also runs on its daily schedule); proposals reach the firms at once."""
    try:
        run = matching.start_run(_actor())
        ok(_("Matching run done: %(n)s proposals.", n=run.pairings_count))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("home.index"))


@bp.route("/charts")
@staff_only
def charts():
    """Resumption by industry and by park, and breaks week over week."""
    view = report_views.charts_view(_actor(), week=request.args.get("week") or None)
    return render_template("taskforce/charts.html", view=view)


@bp.route("/what-if", methods=["GET", "POST"])
@staff_only
def what_if():
    """Pick firms that stop or counties that turn high-risk, and see the cascade on the map."""
    form = WhatIfForm()
    typed = lookups.count_firms_in_scope(_actor()) > PICK_LIST_MAX
    form.firms.choices = {} if typed else opts(
        (f.ref, f"{f.ref} · {f.name}") for f in lookups.list_firms_in_scope(_actor()))
    form.counties.choices = opts((r.code, f"{r.code} · {r.name}") for r in lookups.list_counties(_actor()))
    result = None
    top_errors = []
    if form.validate_on_submit():
        try:
            result = report_views.what_if_view(_actor(), firms=form.stopped_firms(), counties=form.counties.data or [])
            result["graph"] = queries.decorate_graph(result["graph"], tier0=_("Buyers hit"))
        except DomainError as exc:
            top_errors = apply_errors(form, exc, {"stopped_firms": "firm_refs" if typed else "firms",
                                                  "high_risk_counties": "counties"})
    if typed and form.firms.errors:
        form.firm_refs.errors = list(form.firm_refs.errors or []) + list(form.firms.errors)
    code = 422 if (form.errors or top_errors) else 200
    return render_template("taskforce/what_if.html", form=form, result=result, top_errors=top_errors,
                           typed=typed), code
