"""The page forms (Flask-WTF: every POST carries a CSRF token); labels and messages in the user's language."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from matchmaker.infra.labels import choices

REQUIRED = _l("This field is required.")
POSITIVE = _l("Enter a number greater than 0.")
PERCENT = _l("Enter a number from 0 to 100.")
NUMBER = _l("Enter a number, e.g. 12.5.")
DATE = _l("Enter a date as YYYY-MM-DD.")


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (for terms, help wanted, blockers)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        valid = set(self.choices) if isinstance(self.choices, dict) else {c[0] for c in self.choices}
        for value in self.data or []:
            if value not in valid:
                raise ValidationError(_l("Not a valid choice."))


class NumberField(FloatField):
    """A decimal number; a wrong value gets a message in the user's language."""

    widget = widgets.NumberInput(step="any")

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip() != "":
            try:
                self.data = float(valuelist[0].replace(",", "").strip())
            except ValueError:
                self.data = None
                raise ValueError(NUMBER)
        elif valuelist:
            self.data = None


class WholeField(IntegerField):
    """A whole number; a wrong value gets a message in the user's language."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip() != "":
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(_l("Enter a whole number."))
        elif valuelist:
            self.data = None


class DayField(DateField):
    """An ISO date; a wrong value gets a message in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE)


def opts(pairs):
    """Choices as WTForms' {value: label} shorthand, labels made plain text for this request."""
    return {str(value): str(text) for value, text in pairs}


def _positive(form, field):
    if field.data is not None and field.data <= 0:
        raise ValidationError(POSITIVE)


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(
        min=8, max=1000, message=_l("Between 8 and 1000 characters."))], render_kw={"autocomplete": "new-password"})
    new_password_again = PasswordField(_l("New password again"), validators=[DataRequired(REQUIRED), EqualTo(
        "new_password", message=_l("The two new passwords differ."))], render_kw={"autocomplete": "new-password"})


PRODUCT_LENGTH = Length(max=200, message=_l("At most 200 characters."))


#: Empty product fields the need form offers for `accepts` beyond those already filled in.
ACCEPTS_BLANKS = 2


class NeedForm(FlaskForm):
    product = StringField(_l("What you need (product)"), validators=[Optional(), PRODUCT_LENGTH])
    # other products the buyer also takes (spec/products.md `accepts`): one product picker each
    accepts = FieldList(StringField(_l("Other product you also take"), validators=[Optional(), PRODUCT_LENGTH]),
                        min_entries=ACCEPTS_BLANKS + 1, max_entries=100)
    category = SelectField(_l("Category (only when no product fits)"), validators=[Optional()])
    quantity = NumberField(_l("Quantity"), validators=[InputRequired(NUMBER), _positive],
                          render_kw={"inputmode": "decimal"})
    needed_by = DayField(_l("Needed by"), validators=[InputRequired(DATE)])
    max_unit_price = NumberField(_l("Highest unit price (yuan, optional)"), validators=[Optional(), _positive],
                                render_kw={"inputmode": "decimal"})
    terms = MultiCheckboxField(_l("Article-10 terms you offer"))
    days_of_stock = WholeField(_l("Days of stock you have left (optional)"),
                               validators=[Optional(), NumberRange(min=0, max=3650)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms.choices = opts(choices("term"))


class OfferForm(FlaskForm):
    product = StringField(_l("What you make (product)"), validators=[Optional(), PRODUCT_LENGTH])
    category = SelectField(_l("Category (only when no product fits)"), validators=[Optional()])
    quantity = NumberField(_l("Quantity you can supply"), validators=[InputRequired(NUMBER), _positive],
                          render_kw={"inputmode": "decimal"})
    available_from = DayField(_l("Available from"), validators=[InputRequired(DATE)])
    available_until = DayField(_l("Available until (optional)"), validators=[Optional()])
    lead_time_days = WholeField(_l("Lead time (days)"), default=0,
                                  validators=[Optional(), NumberRange(min=0, max=365, message=_l("Enter whole days from 0 to 365."))])
    unit_price = NumberField(_l("Unit price (yuan, optional)"), validators=[Optional(), _positive],
                            render_kw={"inputmode": "decimal"})
    delivery_radius_km = NumberField(_l("How far you deliver (km, empty = no limit)"), validators=[Optional(), _positive],
                                    render_kw={"inputmode": "decimal"})
    help_wanted = MultiCheckboxField(_l("Help you want from a partner"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_wanted.choices = opts(choices("help"))

    def validate_available_until(self, field):
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError(_l("Must not be before the available-from date."))


class StatusForm(FlaskForm):
    operating = BooleanField(_l("We are operating"))
    capacity_utilization = WholeField(_l("Capacity utilisation (%)"),
                                        validators=[Optional(), NumberRange(min=0, max=100, message=PERCENT)])
    workers_back = WholeField(_l("Share of workers back (%)"),
                                validators=[Optional(), NumberRange(min=0, max=100, message=PERCENT)])
    blockers = MultiCheckboxField(_l("What blocks you"))
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    expected_restart = DayField(_l("When you expect to supply again (optional)"), validators=[Optional()])


class StaffStatusForm(FlaskForm):
    """A firm's status as task-force staff heard it on the phone."""

    operating = BooleanField(_l("The firm is operating"))
    capacity_utilization = WholeField(_l("Capacity utilisation (%)"),
                                        validators=[Optional(), NumberRange(min=0, max=100, message=PERCENT)])
    workers_back = WholeField(_l("Share of workers back (%)"),
                                validators=[Optional(), NumberRange(min=0, max=100, message=PERCENT)])
    blockers = MultiCheckboxField(_l("What blocks it"))


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class EscalateForm(FlaskForm):
    note = TextAreaField(_l("Why it goes up a level"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("What was done this week"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class ReopenForm(FlaskForm):
    note = TextAreaField(_l("Why it is reopened"), validators=[Optional(), Length(max=2000)])


class CloseForm(FlaskForm):
    note = TextAreaField(_l("How it was solved (closing note)"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class HelpOfferForm(FlaskForm):
    """A leading firm's help offer: kind, how many SMEs, which regions."""

    kind = SelectField(_l("Kind of help"), validators=[DataRequired(REQUIRED)])
    capacity = WholeField(_l("How many SMEs you can help"),
                          validators=[InputRequired(REQUIRED), NumberRange(min=1, max=10000)])
    reach = StringField(_l("Regions you reach (six-digit codes, separated by commas)"),
                        validators=[DataRequired(REQUIRED), Length(max=1400)])
    note = TextAreaField(_l("What you offer"), validators=[Optional(), Length(max=2000)])


class UploadForm(FlaskForm):
    package = FileField(_l("Data package (.xlsx, .zip of CSV files, or .json)"), validators=[
        FileRequired(_l("Choose a file to upload.")),
        FileAllowed(["xlsx", "zip", "json"], _l("Only .xlsx, .zip or .json files can be imported.")),
    ])


class UserForm(FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(REQUIRED), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid e-mail address."))])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    password = PasswordField(_l("Password (at least 8 characters)"),
                             validators=[DataRequired(REQUIRED), Length(min=8, message=_l("At least 8 characters."))],
                             render_kw={"autocomplete": "new-password"})
    role = SelectField(_l("Role"))
    firm_ref = StringField(_l("Firm ref (firm users)"), validators=[Optional()])
    region_code = StringField(_l("Region code (task-force staff)"), validators=[Optional()])
    locale = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = opts(choices("role"))
        self.locale.choices = {"zh_CN": "中文", "en": "English"}


class ReportFilterForm(FlaskForm):
    """Filters of the weekly report (GET; no CSRF since it changes nothing)."""

    class Meta:
        csrf = False

    week = StringField(_l("Week (YYYY-Www)"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    factor = SelectField(_l("Factor"), validators=[Optional()])
    level = SelectField(_l("Level"), validators=[Optional()])
    industry = SelectField(_l("Industry"), validators=[Optional()])
    park = SelectField(_l("Park"), validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()])


class WhatIfForm(FlaskForm):
    """Firms come from a pick list in a small region, or as typed refs where a list would be too long."""

    firms = SelectMultipleField(_l("Firms that stop"), validators=[Optional()])
    firm_refs = StringField(_l("Firms that stop (refs)"), validators=[Optional(), Length(max=4000)])
    counties = SelectMultipleField(_l("Counties that become high-risk"), validators=[Optional()])

    def stopped_firms(self):
        """The firm refs picked or typed (commas, spaces or new lines between them)."""
        typed = [r for r in re.split(r"[\s,，;；]+", self.firm_refs.data or "") if r]
        return list(dict.fromkeys(list(self.firms.data or []) + typed))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not (self.stopped_firms() or self.counties.data):
            self.firms.errors = list(self.firms.errors) + [_l("Pick at least one firm or county.")]
            return False
        return ok


class LinkForm(FlaskForm):
    """A supply link the firm records; the other firm must confirm it."""

    side = SelectField(_l("Your firm is"), validators=[DataRequired(REQUIRED)])
    other = StringField(_l("The other firm's ref"), validators=[DataRequired(REQUIRED), Length(max=64)])
    product = StringField(_l("What is supplied (product)"), validators=[Optional(), PRODUCT_LENGTH])
    category = SelectField(_l("Category (only when no product fits)"), validators=[Optional()])
    quantity_per_week = NumberField(_l("Quantity per week"), validators=[InputRequired(NUMBER), _positive],
                                    render_kw={"inputmode": "decimal"})
    terms = MultiCheckboxField(_l("Article-10 terms of the link"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.side.choices = {"supplier": str(_l("the supplier")), "buyer": str(_l("the buyer"))}
        self.terms.choices = opts(choices("term"))


class OrderForm(FlaskForm):
    """An order the buyer placed on a link (article 10: order first)."""

    date = DayField(_l("Date"), validators=[InputRequired(DATE)])
    quantity = NumberField(_l("Quantity"), validators=[InputRequired(NUMBER), _positive],
                           render_kw={"inputmode": "decimal"})


class DeliveryForm(OrderForm):
    """A delivery the supplier made on a link."""

    amount = NumberField(_l("Amount owed (yuan)"), validators=[InputRequired(NUMBER), _positive],
                         render_kw={"inputmode": "decimal"})


class PaymentForm(FlaskForm):
    """A payment the buyer made on a link (article 10: pay first)."""

    date = DayField(_l("Date"), validators=[InputRequired(DATE)])
    amount = NumberField(_l("Amount paid (yuan)"), validators=[InputRequired(NUMBER), _positive],
                         render_kw={"inputmode": "decimal"})
    delivery = SelectField(_l("For delivery"), validators=[Optional()])
