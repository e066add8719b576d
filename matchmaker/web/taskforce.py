"""Task-force pages: the weekly report of the user's region, break workflow, charts, .xlsx, what-if."""
from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.infra.labels import choices, label, report_vocabulary
from matchmaker.services.support import lookups
from matchmaker.services import firms, matching, reports
from matchmaker.services.support.errors import DomainError
from matchmaker.web import queries, report_views
from matchmaker.web.forms import AssignForm, CloseForm, EscalateForm, ReportFilterForm, WhatIfForm, opts
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
    form.state.choices = opts(any_ + [("new", _("New")), ("continuing", _("Continuing")), ("resolved", _("Resolved"))])
    return form


PICK_LIST_MAX = 400  # more firms than this in scope: type their refs instead of picking from a list

FILTERS = ("kind", "factor", "level", "industry", "park", "state")


@bp.route("/report")
@staff_only
def report():
    """The weekly report of the user's region: breaks by severity, filters, counts, monitoring."""
    filters = {k: request.args.get(k) for k in FILTERS if request.args.get(k)}
    view = report_views.report_view(_actor(), week=request.args.get("week") or None, filters=filters)
    form = _filter_form(view)
    rows = view["resolved"] if filters.get("state") == "resolved" else view["breaks"]
    return render_template("taskforce/report.html", view=view, form=form, filters=filters, page=paginate(rows))


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


def _render_break(brk, assign=None, escalate=None, close=None, status=200):
    assign = assign or AssignForm(prefix="assign")
    assign.assignee.choices = opts([("", _("Choose a person"))] + [
        (str(u.id), f"{u.name} · {u.region.name if u.region else ''}") for u in lookups.list_staff(_actor())])
    return render_template("taskforce/break.html", brk=brk, assign=assign,
                           contacts=firms.visible_contacts(_actor(), (brk.get("buyer"), brk.get("supplier"))),
                           escalate=escalate or EscalateForm(prefix="escalate"),
                           close=close or CloseForm(prefix="close")), status


@bp.route("/breaks/<int:break_id>/<any(assign, escalate, close):action>", methods=["POST"])
@staff_only
def break_action(break_id, action):
    """Assign a break to a person, escalate it a level, or close it (销号), each with a note."""
    brk = reports.get_break(_actor(), break_id)
    forms = {"assign": AssignForm(prefix="assign"), "escalate": EscalateForm(prefix="escalate"),
             "close": CloseForm(prefix="close")}
    form = forms[action]
    if action == "assign":
        form.assignee.choices = opts((str(u.id), u.name) for u in lookups.list_staff(_actor()))
    if form.validate_on_submit():
        try:
            if action == "assign":
                reports.assign_break(_actor(), break_id, int(form.assignee.data), note=form.note.data or None)
                ok(_("The break is assigned."))
            elif action == "escalate":
                reports.escalate_break(_actor(), break_id, note=form.note.data)
                ok(_("The break went up a level."))
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
    return _render_break(brk, **{action: form}, status=422)


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
