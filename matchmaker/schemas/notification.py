"""Notification schemas: a user's inbox entries and e-mail settings (issue 13)."""
from marshmallow import fields

from matchmaker.models.notification import NOTIFICATION_KINDS
from matchmaker.schemas.common import InputSchema, OutputSchema


class NotificationSchema(OutputSchema):
    """One inbox entry; `title` and `text` in the reader's language."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(NOTIFICATION_KINDS)})
    params = fields.Dict()
    url = fields.String(allow_none=True)
    title = fields.String()
    text = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxArgsSchema(InputSchema):
    """Filters of the inbox."""

    unread = fields.Boolean(metadata={"description": "only unread ones"})


class MailSettingsSchema(InputSchema):
    """{kind: whether it also comes by e-mail}; kinds left out keep their setting."""

    proposal_arrived = fields.Boolean()
    proposal_answered = fields.Boolean()
    link_formed = fields.Boolean()
    item_assigned = fields.Boolean()
    commitment_due = fields.Boolean()
    commitment_overdue = fields.Boolean()
    report_ready = fields.Boolean()
