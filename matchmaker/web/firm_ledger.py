"""The article-10 ledger of one link, for both sides (and staff of their regions): its orders,
deliveries and payments, what each delivery still owes and by when, what is overdue; the buyer
records orders and payments and confirms deliveries, the supplier records deliveries."""
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.infra import clock
from matchmaker.services import firms, ledger
from matchmaker.services.support.errors import DomainError
from matchmaker.web.forms import DeliveryForm, OrderForm, PaymentForm, opts
from matchmaker.web.helpers import apply_errors, flash_error, ok, role_required

bp = Blueprint("firm_ledger", __name__, url_prefix="/firm/links")

readers = role_required("firm", "staff", "admin")
recorders = role_required("firm", "admin")
FORMS = {"orders": OrderForm, "deliveries": DeliveryForm, "payments": PaymentForm}


def _actor():
    return current_user._get_current_object()


def _forms(view, posted=None, posted_form=None):
    """The entry forms the actor may use (the posted one as submitted), dated today by default."""
    forms = {}
    for section, form_class in FORMS.items():
        if not view["may"][section]:
            continue
        form = posted_form if section == posted else form_class(prefix=section, formdata=None)
        if section != posted:
            form.date.data = clock.today()
        forms[section] = form
    if "payments" in forms:
        forms["payments"].delivery.choices = opts(
            [("", _("The oldest not yet paid"))]
            + [(d["entry"].ref, f'{d["entry"].ref} · {d["entry"].date.isoformat()}') for d in view["deliveries"]])
    return forms


@bp.route("/<int:link_id>")
@readers
def show(link_id):
    """A link's ledger settled as of today, with the forms the actor may use."""
    view = ledger.link_ledger(_actor(), link_id)
    return render_template("firm/link.html", view=view, forms=_forms(view), top_errors={},
                           contacts=firms.visible_contacts(_actor(), (view["link"].supplier.ref, view["link"].buyer.ref)))


@bp.route("/<int:link_id>/<any(orders, deliveries, payments):section>", methods=["POST"])
@recorders
def record(link_id, section):
    """Record an order, a delivery or a payment on the link."""
    actor = _actor()
    view = ledger.link_ledger(actor, link_id)
    form = FORMS[section](prefix=section)
    if section == "payments":
        form.delivery.choices = opts([("", "")] + [(d["entry"].ref, d["entry"].ref) for d in view["deliveries"]])
    top_errors = {}
    if form.validate_on_submit():
        data = {"link": view["link"].ref, "date": form.date.data}
        for name in ("quantity", "amount"):
            if hasattr(form, name):
                data[name] = getattr(form, name).data
        if section == "payments" and form.delivery.data:
            data["delivery"] = form.delivery.data
        try:
            ledger.record_entry(actor, section, data)
            ok(_record_message(section))
            return redirect(url_for("firm_ledger.show", link_id=link_id) + f"#{section}")
        except DomainError as exc:
            top_errors[section] = apply_errors(form, exc)
    return render_template("firm/link.html", view=view, forms=_forms(view, section, form), top_errors=top_errors,
                           contacts=firms.visible_contacts(actor, (view["link"].supplier.ref, view["link"].buyer.ref))), 422


def _record_message(section):
    """What the page says after recording an entry of a section."""
    return {"orders": _("Order recorded."), "deliveries": _("Delivery recorded."),
            "payments": _("Payment recorded.")}[section]


@bp.route("/<int:link_id>/deliveries/<int:delivery_id>/confirm", methods=["POST"])
@recorders
def confirm(link_id, delivery_id):
    """The buyer confirms it received a delivery."""
    try:
        row = ledger.confirm_delivery(_actor(), delivery_id)
        ok(_("You confirmed delivery %(ref)s.", ref=row.ref))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("firm_ledger.show", link_id=link_id) + "#deliveries")
