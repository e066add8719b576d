"""Notifications API: the signed-in user's inbox (newest first), mark read, and e-mail settings."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.infra.notices import notice_text
from matchmaker.infra.security import current_actor
from matchmaker.schemas.notification import InboxArgsSchema, MailSettingsSchema, NotificationSchema
from matchmaker.services import notifications

blp = json_blueprint(Blueprint(
    "notifications", __name__,
    description="Your notifications (proposals, answers, links, commitments, reports) and which come by e-mail."))
URL_PREFIX = "/notifications"


def _said(row):
    """The row with its title and text in the caller's language."""
    row.title, row.text = notice_text(row.kind, row.params)
    return row


@blp.route("")
class Inbox(MethodView):
    @blp.arguments(InboxArgsSchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @errors(blp, 401)
    @blp.paginate(page_size=20, max_page_size=200)
    def get(self, args, pagination_parameters):
        """Your notifications, newest first (`unread=true`: only unread ones)"""
        rows, pagination_parameters.item_count = notifications.list_inbox(
            current_actor(), *page_args(pagination_parameters), unread_only=bool(args.get("unread")))
        return [_said(r) for r in rows]


@blp.route("/<int:notification_id>/read")
class Read(MethodView):
    @blp.response(200, NotificationSchema)
    @errors(blp, 401, 404)
    def post(self, notification_id):
        """Mark one of your notifications read"""
        return _said(notifications.mark_read(current_actor(), notification_id))


@blp.route("/settings")
class Settings(MethodView):
    @blp.response(200, MailSettingsSchema)
    @errors(blp, 401)
    def get(self):
        """Which kinds also come by e-mail"""
        return notifications.mail_settings(current_actor())

    @blp.arguments(MailSettingsSchema)
    @blp.response(200, MailSettingsSchema)
    @errors(blp, 400, 401, 415)
    def put(self, data):
        """Set which kinds also come by e-mail"""
        return notifications.set_mail_settings(current_actor(), data)
