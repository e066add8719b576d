"""The home page per role: what needs doing first."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from matchmaker.web import queries

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """Firm: proposals waiting and its breaks; staff: breaks assigned to me and this week's report."""
    if not current_user.is_authenticated:
        return redirect(url_for("account.login"))
    actor = current_user._get_current_object()
    return render_template(f"home/{actor.role}.html", todo=queries.todo(actor))
