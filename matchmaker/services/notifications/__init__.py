"""Notifications (issue 13, item 7): the events that tell users (`events`), each user's inbox and
e-mail settings (`inbox`), and the e-mail outbox sent over SMTP by a job (`outbox`)."""
from matchmaker.services.notifications.events import (commitment_reminders, item_assigned, link_formed,  # noqa: F401
                                                      notify, proposal_answered, proposals_arrived, report_ready)
from matchmaker.services.notifications.inbox import (list_inbox, mail_settings, mark_all_read, mark_read,  # noqa: F401
                                                     set_mail_settings, unread_count)
from matchmaker.services.notifications.outbox import MailSettings, send_outbox  # noqa: F401
