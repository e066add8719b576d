"""A printable page of a week's report (for the dispatch meeting's paper copy)."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from matchmaker.infra.labels import report_vocabulary
from matchmaker.services import products, reports
from matchmaker.services.support.errors import NotFound
from matchmaker.web.helpers import role_required

bp = Blueprint("report_print", __name__, url_prefix="/reports")
PRINT_LIMIT = 500


@bp.route("/<week>/print")
@role_required("staff", "admin")
def print_report(week):
    """The report of a week for the user's region, as one printable page."""
    actor = current_user._get_current_object()
    try:
        data = reports.report_data(actor, None if week == "latest" else week)
    except NotFound:
        return render_template("reports/print.html", data=None, week=week), 404
    limit = min(max(request.args.get("limit", PRINT_LIMIT, type=int) or PRINT_LIMIT, 1), 100000)
    words, names = report_vocabulary(), products.product_names()

    def goods(b):
        """The products at stake in a break, with their quantities and units, in the paper's words."""
        return reports.stake_text(b.get("products"), words["unit"], names)

    return render_template("reports/print.html", data=data, week=data["week"], limit=limit, words=words, goods=goods)
