"""Issue 13 in a browser: an SME records a delivery on a pay-first link, the leading firm pays part
of it, the service's day moves past the due date, and the leading firm finds the overdue commitment
in its inbox (the header's unread count) and in the local SMTP server's mailbox; then marks it read."""
from datetime import timedelta

from aiosmtpd.controller import Controller

from tests.browser.conftest import in_app, shot, sign_in
from tests.notifications.conftest import Inbox, free_port


def test_overdue_commitment_reaches_the_inbox_and_the_mailbox(live, new_page):
    from matchmaker.cli import scheduler
    from matchmaker.infra.extensions import db
    from matchmaker.models import Firm
    from tests import factories

    base, app, world = live
    today = world["today"]
    with in_app(app):
        lead = db.session.scalar(db.select(Firm).where(Firm.ref == "L1"))
        s1 = db.session.scalar(db.select(Firm).where(Firm.ref == "S1"))
        link_id = factories.link(s1, lead, "C1", quantity_per_week=10, ref="LKPAY", terms=["pay_first"], since=today).id
        db.session.commit()

    sme = new_page()
    sign_in(sme, base, world["users"]["sme"])
    sme.goto(base + f"/firm/links/{link_id}")
    sme.fill("#deliveries-date", today.isoformat())
    sme.fill("#deliveries-quantity", "10")
    sme.fill("#deliveries-amount", "5000")
    sme.click("#delivery-form button[type=submit]")
    sme.wait_for_load_state()
    assert sme.locator(".flash-success").count() == 1

    buyer = new_page()
    sign_in(buyer, base, world["users"]["lead"])
    buyer.goto(base + f"/firm/links/{link_id}")
    buyer.fill("#payments-date", today.isoformat())
    buyer.fill("#payments-amount", "2000")
    buyer.click("#payment-form button[type=submit]")
    buyer.wait_for_load_state()
    assert buyer.locator(".flash-success").count() == 1

    mailbox = Inbox()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    saved = {k: app.config.get(k) for k in ("TODAY", "MAIL_HOST", "MAIL_PORT", "MAIL_BASE_URL")}
    try:
        with in_app(app):
            from matchmaker.services.ledger import commitment_periods

            due = today + timedelta(days=commitment_periods()["pay_days"])
        app.config.update(TODAY=(due + timedelta(days=1)).isoformat(), MAIL_HOST="127.0.0.1", MAIL_PORT=port,
                          MAIL_BASE_URL=base)
        assert scheduler.commitment_reminders_job(app) >= 1
        assert scheduler.send_mail_job(app)["sent"] >= 1
    finally:
        smtp.stop()
        app.config.update(saved)

    mails = [m for m in mailbox.messages if m["to"] == ["lead@example.cn"]]
    assert len(mails) == 1 and mails[0]["subject"] == "【手拉手】一项承诺已逾期"
    assert "LKPAY" in mails[0]["body"] and f"{base}/firm/links/{link_id}" in mails[0]["body"]

    buyer.goto(base + "/")
    assert int(buyer.locator("#unread-count").inner_text().split()[0]) >= 1
    buyer.click("#inbox-link")
    notice = buyer.locator('#inbox li[data-kind="commitment_overdue"]')
    assert notice.count() == 1 and "LKPAY" in notice.inner_text() and "逾期" in notice.inner_text()
    shot(buyer, "inbox-overdue")
    notice.locator("button.mark-read").click()
    buyer.wait_for_load_state()
    assert buyer.locator('#inbox li.unread[data-kind="commitment_overdue"]').count() == 0
