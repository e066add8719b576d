"""Task-force pages of article 10 (spec/article10.md): the leading firms' scorecards of the region,
with totals by county, and one leading firm's scorecard week over week."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from matchmaker.services import regions, reports
from matchmaker.services.support.errors import NotFound
from matchmaker.web.helpers import role_required

bp = Blueprint("taskforce_article10", __name__, url_prefix="/taskforce/scorecard")

staff_only = role_required("staff", "admin")


def _actor():
    return current_user._get_current_object()


@bp.route("")
@staff_only
def region():
    """The leading firms' scorecards of the user's region in a week's report (the latest by default)."""
    view = reports.region_scorecards(_actor(), request.args.get("week") or None)
    view["names"] = reports.firm_names(c["firm"] for c in view["firms"])
    view["county_names"] = {r["county"]: _region_name(r["county"]) for r in view["by_county"]}
    return render_template("taskforce/scorecard.html", view=view)


def _region_name(code):
    try:
        return regions.get_region(code).name
    except NotFound:
        return code


@bp.route("/<firm>")
@staff_only
def firm(firm):
    """One leading firm's scorecard week over week."""
    weeks = reports.scorecard_history(_actor(), firm)
    return render_template("taskforce/scorecard_firm.html", firm=firm, weeks=weeks,
                           name=reports.firm_names([firm]).get(firm, firm))
