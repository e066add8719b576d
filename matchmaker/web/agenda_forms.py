"""Forms of the agenda pages: a decision on an item (meeting mode) and the outcome of last week's.

Kept beside :mod:`matchmaker.web.forms` (same conventions) so the agenda's forms change in one place."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REQUIRED = _l("This field is required.")


class DecisionForm(FlaskForm):
    """Who does what by when, on one agenda item."""

    key = HiddenField(validators=[DataRequired(), Length(max=300)])
    decision = TextAreaField(_l("Decision (who does what)"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    departments = SelectMultipleField(_l("Responsible departments"), choices=[], validate_choice=True)
    assignee = SelectField(_l("Assigned to"), choices=[], validators=[Optional()], validate_choice=False)
    due = DateField(_l("Due"), validators=[Optional()])


class OutcomeForm(FlaskForm):
    """Whether last week's decision on an item was done."""

    key = HiddenField(validators=[DataRequired(), Length(max=300)])
    week = HiddenField(validators=[DataRequired(), Length(max=8)])
    outcome = RadioField(_l("Outcome"), choices=[("done", _l("Done")), ("not_done", _l("Not done"))],
                         validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
