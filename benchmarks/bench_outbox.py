"""Time the e-mail outbox (issue 13): queueing N report-ready notifications for M staff users and
sending them to a local SMTP server (aiosmtpd); prints figures (run on demand).

    python benchmarks/bench_outbox.py [users] [events] [database url]

Default: 200 staff users, 5 events (1,000 mails), in-memory SQLite.
"""
import sys
import time

from aiosmtpd.controller import Controller

from matchmaker import create_app
from matchmaker.infra.extensions import db
from matchmaker.infra.notices import mail_text
from matchmaker.services import notifications
from tests import factories
from tests.notifications.conftest import Inbox, free_port, mail_settings


def main(users=200, events=5, url="sqlite://"):
    """Queue users * events mails and send them; print the time of each step."""
    users, events = int(users), int(events)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SCHEDULER_ENABLED": False})
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with app.app_context():
            db.create_all()
            factories.region("230102")
            for i in range(users):
                factories.user("staff", region_code="230102", email=f"staff{i}@example.cn")
            db.session.commit()
            start = time.perf_counter()
            for week in range(events):
                notifications.report_ready(f"2020-W{week + 10:02d}")
                db.session.commit()
            queued = time.perf_counter() - start
            print(f"queue   {users * events:6d} notifications + mails in {queued:6.2f} s "
                  f"({users * events / queued:,.0f} per s, {events} events)")
            start = time.perf_counter()
            counts = notifications.send_outbox(
                lambda row: mail_text(row.locale, row.kind, row.params, row.url, "https://mm.example.cn"),
                mail_settings(port, batch=100), max_batches=10 ** 6)
            sent = time.perf_counter() - start
            print(f"send    {counts['sent']:6d} mails over SMTP in {sent:6.2f} s "
                  f"({counts['sent'] / sent:,.0f} per s, {counts['batches']} batches); received {len(inbox.messages)}")
    finally:
        smtp.stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
