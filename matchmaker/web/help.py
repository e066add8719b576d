"""Help pages (article 10's 帮营销、帮技术、帮管理): a leading firm posts help offers, SMEs are matched
to them, both sides accept; staff see those of their region and may match now."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.infra.labels import label
from matchmaker.rules import HELP_OFFER_KINDS
from matchmaker.services import help as help_service
from matchmaker.services.support.errors import DomainError
from matchmaker.web.forms import HelpOfferForm, opts
from matchmaker.web.helpers import apply_errors, flash_error, ok

bp = Blueprint("firm_help", __name__, url_prefix="/help")


def _actor():
    return current_user._get_current_object()


def _form():
    form = HelpOfferForm(prefix="help")
    form.kind.choices = opts([(k, label(k, "help")) for k in HELP_OFFER_KINDS])
    return form


def _render(form=None, status=200):
    actor = _actor()
    firm = actor.firm if actor.role == "firm" else None
    return render_template("help/index.html", form=form or _form(), firm=firm,
                           offers=help_service.list_help_offers(actor),
                           matches=help_service.list_help_matches(actor)), status


@bp.route("/")
@login_required
def index():
    """Help offers and help matches the user reads; a leading firm's form to post one."""
    return _render()


@bp.route("/offers", methods=["POST"])
@login_required
def offer_new():
    """Post a help offer (a leading firm); SMEs that want it are matched at once."""
    form = _form()
    if form.validate_on_submit():
        reach = [c.strip() for c in (form.reach.data or "").replace("，", ",").split(",") if c.strip()]
        try:
            help_service.create_help_offer(_actor(), {"kind": form.kind.data, "capacity": form.capacity.data,
                                                      "reach": reach, "note": form.note.data or None})
            ok(_("Your help offer is posted; SMEs that want it are matched."))
            return redirect(url_for("firm_help.index"))
        except DomainError as exc:
            apply_errors(form, exc)
            if not form.errors:
                flash_error(exc)
    return _render(form, 422)


@bp.route("/offers/<int:offer_id>/close", methods=["POST"])
@login_required
def offer_close(offer_id):
    """Close a help offer."""
    try:
        help_service.close_help_offer(_actor(), offer_id)
        ok(_("The help offer is closed."))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm_help.index"))


@bp.route("/matches/<int:match_id>/<any(accept, decline):answer>", methods=["POST"])
@login_required
def match_answer(match_id, answer):
    """Accept or decline a help match for this firm's side."""
    try:
        m = help_service.answer_help_match(_actor(), match_id, answer == "accept", request.form.get("side") or None)
        ok(_("Both sides accepted: the help is recorded.") if m.status == "active"
           else _("You accepted; now the other side must accept.") if m.status == "accepted"
           else _("You declined the help."))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm_help.index"))


@bp.route("/match", methods=["POST"])
@login_required
def match_now():
    """Match the open wants of help with the open help offers now."""
    try:
        n = help_service.match_help_now(_actor())
        ok(_("%(n)s new help matches.", n=n))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm_help.index"))
