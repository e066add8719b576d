"""Task-force pages for risk zones (article 2) and resumption monitoring (article 13).

/taskforce/risk: the counties of the user's jurisdiction with their level today; a county's page
shows its history, what its high risk stops in the latest report, and, for province and city
staff, the form that sets its level. /taskforce/monitoring: resumption by chain, by GB/T division
and by county, with a chart and the .xlsx.
"""
from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from matchmaker.infra.labels import choices, monitoring_words
from matchmaker.services import monitoring, risk_zones
from matchmaker.services.support.errors import DomainError
from matchmaker.web.forms import REQUIRED, DayField, opts
from matchmaker.web.helpers import apply_errors, flash_error, is_en, ok, role_required

bp = Blueprint("taskforce_monitoring", __name__, url_prefix="/taskforce")
staff_only = role_required("staff", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RiskForm(FlaskForm):
    """A county's new risk level, from a date, with the reason (kept beside its page: only it uses it)."""

    risk = SelectField(_l("Risk level"), validators=[DataRequired(REQUIRED)])
    effective_from = DayField(_l("Effective from"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000)])


def _actor():
    return current_user._get_current_object()


@bp.route("/risk")
@staff_only
def risk_zones_page():
    """The counties of the user's jurisdiction and their risk level today."""
    return render_template("taskforce/risk_zones.html", counties=risk_zones.counties_in_scope(_actor()))


@bp.route("/risk/<code>", methods=["GET", "POST"])
@staff_only
def risk_county(code):
    """One county: its level and history, what its high risk stops, and the form that sets it."""
    history = risk_zones.risk_history(_actor(), code)
    form = RiskForm()
    form.risk.choices = opts(choices("risk"))
    status = 200
    if request.method == "POST" and history["can_set"]:
        if form.validate_on_submit():
            try:
                risk_zones.set_risk(_actor(), code, form.risk.data, form.effective_from.data, form.reason.data)
                ok(_("The risk level is recorded."))
                return redirect(url_for("taskforce_monitoring.risk_county", code=history["code"]))
            except DomainError as exc:
                apply_errors(form, exc)
                if not form.errors:
                    flash_error(exc)
        status = 422
    elif request.method == "GET":
        form.risk.data = history["risk"]
    stops = risk_zones.risk_stops(_actor(), code)
    return render_template("taskforce/risk_county.html", history=history, form=form, stops=stops), status


@bp.route("/monitoring")
@staff_only
def monitoring_page():
    """Resumption by chain, by GB/T division and by county, week over week, with a chart."""
    view = monitoring.monitoring_view(_actor(), monitoring.validate_week(request.args.get("week") or None),
                                      request.args.get("region") or None)
    en = is_en()
    for row in view["by_chain"]:
        row["label"] = row["name_en"] if en else row["name"]
    charts = {name: [(r["label"], r[field] or 0) for r in view["by_chain"] if r["firms"]]
              for name, field in (("workers", "share_workers_back_weighted"), ("operating", "share_operating_weighted"))}
    counties = risk_zones.counties_in_scope(_actor())
    return render_template("taskforce/monitoring.html", view=view, charts=charts,
                           counties=counties if len(counties) > 1 else [])


@bp.route("/monitoring.xlsx")
@staff_only
def monitoring_xlsx():
    """The monitoring figures as an .xlsx workbook in the reader's language."""
    data, name = monitoring.monitoring_xlsx(_actor(), monitoring.validate_week(request.args.get("week") or None),
                                            request.args.get("region") or None, monitoring_words())
    return send_file(data, as_attachment=True, download_name=name, mimetype=XLSX)
