"""The inbox pages (issue 13): every signed-in user's notifications, mark read, and which kinds
also come by e-mail; the unread count in the header."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.infra.notices import KIND_NAMES, notice_text
from matchmaker.services import notifications
from matchmaker.web.helpers import Page, ok, role_required, safe_next

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

signed_in = role_required("firm", "staff", "admin")
PER_PAGE = 20


def _actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _unread():
    """`unread_notifications()` for the header."""
    def unread_notifications():
        return notifications.unread_count(_actor()) if current_user.is_authenticated else 0

    return {"unread_notifications": unread_notifications}


@bp.route("")
@signed_in
def index():
    """The user's notifications, newest first (unread ones marked)."""
    page_no = request.args.get("page", 1, type=int) or 1
    unread_only = request.args.get("unread") == "1"
    rows, total = notifications.list_inbox(_actor(), page=max(1, page_no), page_size=PER_PAGE, unread_only=unread_only)
    items = [{"row": n, "text": notice_text(n.kind, n.params)} for n in rows]
    return render_template("inbox/index.html", page=Page(items, max(1, page_no), PER_PAGE, total),
                           unread_only=unread_only)


@bp.route("/<int:notification_id>/read", methods=["POST"])
@signed_in
def read(notification_id):
    """Mark one notification read, then go where it points (or back to the inbox)."""
    row = notifications.mark_read(_actor(), notification_id)
    if request.form.get("open") and row.url:
        return redirect(safe_next(row.url, url_for("inbox.index")))
    return redirect(url_for("inbox.index"))


@bp.route("/read-all", methods=["POST"])
@signed_in
def read_all():
    """Mark every notification read."""
    n = notifications.mark_all_read(_actor())
    ok(_("%(n)s notifications marked read.", n=n))
    return redirect(url_for("inbox.index"))


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    """Which kinds of notification also come by e-mail (the inbox always has them all)."""
    actor = _actor()
    if request.method == "POST":
        wanted = {kind: kind in request.form.getlist("mail") for kind in KIND_NAMES}
        notifications.set_mail_settings(actor, wanted)
        ok(_("Notification settings saved."))
        return redirect(url_for("inbox.settings"))
    current = notifications.mail_settings(actor)
    kinds = [(kind, str(KIND_NAMES[kind]), current.get(kind, True)) for kind in KIND_NAMES]
    return render_template("inbox/settings.html", kinds=kinds, email=actor.email)
