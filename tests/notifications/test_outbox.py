"""The e-mail outbox against a real local SMTP server (aiosmtpd): sent once, retried with backoff
while the server is down, never lost, never sent twice by a killed or a concurrent sender."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.infra.notices import mail_text
from matchmaker.models import Notification, OutboxMail
from matchmaker.models.base import utcnow
from matchmaker.services import notifications
from matchmaker.services.notifications.outbox import claim
from tests.notifications.conftest import free_port, mail_settings


def render(row):
    return mail_text(row.locale, row.kind, row.params, row.url, "https://mm.example.cn")


def _queue(people, n=3):
    """n report-ready events: every staff member and the admin (4 people) hears of each."""
    for i in range(n):
        notifications.report_ready(f"2020-W1{i}")
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))


def test_mail_is_sent_once_in_the_addressees_language(app, people, smtp_server):
    inbox, port = smtp_server
    people["users"]["county2"].locale = "en"
    db.session.commit()
    queued = _queue(people, 1)
    assert queued == 4
    counts = notifications.send_outbox(render, mail_settings(port))
    assert counts["sent"] == 4 and counts["failed"] == 0
    by_to = {m["to"][0]: m for m in inbox.messages}
    assert set(by_to) == {"county@example.cn", "county2@example.cn", "jl@example.cn", "admin@example.cn"}
    assert by_to["county@example.cn"]["subject"] == "【手拉手】周报已生成"
    assert "2020-W10 的周报已生成" in by_to["county@example.cn"]["body"]
    assert "https://mm.example.cn/taskforce/report?week=2020-W10" in by_to["county@example.cn"]["body"]
    assert by_to["county2@example.cn"]["subject"] == "[Hand in hand] The weekly report is ready"
    assert notifications.send_outbox(render, mail_settings(port))["sent"] == 0  # nothing twice
    assert len(inbox.messages) == 4
    assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMail.sent_at.is_(None))) == 0


def test_a_server_that_is_down_costs_an_attempt_and_a_backoff_then_the_mail_goes(app, people, smtp_server):
    inbox, port = smtp_server
    _queue(people, 1)
    down = mail_settings(free_port(), retry_base=60, retry_max=3600)  # nobody listens there
    t0 = utcnow()
    counts = notifications.send_outbox(render, down, now=lambda: t0)
    assert counts == {"sent": 0, "failed": 4, "batches": 1}
    rows = db.session.scalars(sa.select(OutboxMail).execution_options(populate_existing=True)).all()
    assert all(r.attempts == 1 and r.sent_at is None and r.lease_token is None for r in rows)
    assert all(abs((r.next_attempt_at - (t0 + timedelta(seconds=60))).total_seconds()) < 1 for r in rows)
    # still down a minute later: the second attempt waits twice as long
    t1 = t0 + timedelta(seconds=61)
    notifications.send_outbox(render, down, now=lambda: t1)
    rows = db.session.scalars(sa.select(OutboxMail).execution_options(populate_existing=True)).all()
    assert all(r.attempts == 2 for r in rows)
    assert all(abs((r.next_attempt_at - (t1 + timedelta(seconds=120))).total_seconds()) < 1 for r in rows)
    # the server is back, but the backoff has not passed: nothing goes yet
    assert notifications.send_outbox(render, mail_settings(port), now=lambda: t1 + timedelta(seconds=60))["sent"] == 0
    counts = notifications.send_outbox(render, mail_settings(port), now=lambda: t1 + timedelta(seconds=121))
    assert counts["sent"] == 4 and len(inbox.messages) == 4
    assert len({m["message_id"] for m in inbox.messages}) == 4


def test_a_killed_sender_loses_nothing_and_its_mails_go_once_after_its_lease(app, people, smtp_server):
    inbox, port = smtp_server
    _queue(people, 2)  # 8 mails
    settings = mail_settings(port, lease_seconds=300, batch=5)
    t0 = utcnow()
    token, held = claim(settings, t0)  # a sender claimed 5 and was killed before sending any
    assert len(held) == 5
    counts = notifications.send_outbox(render, settings, now=lambda: t0 + timedelta(seconds=1))
    assert counts["sent"] == 3  # another sender takes only the free ones
    counts = notifications.send_outbox(render, settings, now=lambda: t0 + timedelta(seconds=301))
    assert counts["sent"] == 5  # after the lease, the dead sender's mails go
    assert notifications.send_outbox(render, settings, now=lambda: t0 + timedelta(seconds=900))["sent"] == 0
    assert len(inbox.messages) == 8 and len({m["message_id"] for m in inbox.messages}) == 8


def test_a_sender_whose_lease_ran_out_cannot_mark_another_senders_mail(app, people, smtp_server):
    from matchmaker.services.notifications.outbox import _finish

    inbox, port = smtp_server
    _queue(people, 1)
    settings = mail_settings(port, lease_seconds=10)
    t0 = utcnow()
    token, held = claim(settings, t0)
    later, again = claim(settings, t0 + timedelta(seconds=11))  # the lease ended: another sender holds them
    assert {r.id for r in again} == {r.id for r in held}
    assert not _finish(held[0].id, token, {"sent_at": t0})  # the first sender's word no longer counts
    assert _finish(held[0].id, later, {"sent_at": t0})


def test_a_user_who_turned_a_kind_off_gets_it_in_the_inbox_only(app, people):
    county = people["users"]["county"]
    notifications.set_mail_settings(county, {"report_ready": False})
    assert notifications.mail_settings(county)["report_ready"] is False
    _queue(people, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == county.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)
                             .where(OutboxMail.to_address == county.email)) == 0


@pytest.mark.postgres
def test_concurrent_senders_send_each_mail_once(app, people, smtp_server):
    """Four senders at once, each in its own session: SKIP LOCKED hands them disjoint rows."""
    inbox, port = smtp_server
    for i in range(10):
        notifications.report_ready(f"2021-W{i:02d}")
    db.session.commit()  # 40 mails
    settings = mail_settings(port, batch=3)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                results.append(notifications.send_outbox(render, settings)["sent"])
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and sum(results) == 40
    assert len(inbox.messages) == 40 and len({m["message_id"] for m in inbox.messages}) == 40
