"""Issue 13's "Done when" in a browser: a pay-first pairing between the SME S1 and the leading firm L1
is accepted by both sides (a link forms); on the link's page the buyer records an order, the supplier a
delivery, the buyer confirms it and pays part of it; the service's day moves past the payment's due
date and the scheduler's jobs run (weekly report, commitment reminders, e-mail sender); the overdue
item is then on the buyer county's agenda, in the task force's scorecard, in the buyer's inbox and in
the local SMTP server's mailbox."""
from datetime import timedelta

from aiosmtpd.controller import Controller

from tests.browser.conftest import in_app, shot, sign_in
from tests.notifications.conftest import Inbox, free_port

DELIVERED = 5000  # yuan owed for the delivery
PAID = 2000  # the partial payment
OVERDUE_SUBJECT = "【手拉手】一项承诺已逾期"


def _yuan(text):
    """A yuan amount as the pages print it ("3,000" or "3000.00") -> a number."""
    return float(text.replace(",", ""))


def _cells(row):
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_pairing_to_overdue_commitment_everywhere(live, new_page):
    from matchmaker.cli import scheduler
    from matchmaker.infra.extensions import db
    from matchmaker.models import Firm, Need, Pairing
    from matchmaker.services import matching
    from matchmaker.services.ledger import commitment_periods
    from tests import factories

    base, app, world = live
    today = world["today"]
    saved = {k: app.config.get(k) for k in ("TODAY", "MAIL_HOST", "MAIL_PORT", "MAIL_BASE_URL")}
    mailbox = Inbox()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        # The service's day pinned to the seed's (the machine's date and the service's zone may differ).
        app.config.update(TODAY=today.isoformat(), MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_BASE_URL=base)

        # 1. Seed: L1 needs steel on pay-first terms; the matcher proposes S1's offer OF1.
        with in_app(app):
            lead_firm = db.session.scalar(db.select(Firm).where(Firm.ref == "L1"))
            factories.need(lead_firm, "C1", quantity=40, needed_by=world["soon"], ref="NA10", terms=["pay_first"])
            db.session.commit()
            matching.run_matching(today)
            pairing = db.session.scalar(db.select(Pairing).join(Need, Pairing.need_id == Need.id).where(Need.ref == "NA10"))
            assert pairing is not None and pairing.offer.ref == "OF1"
            pairing_id = pairing.id
            pay_days = commitment_periods()["pay_days"]

        # Both sides accept in the browser: a link forms.
        buyer = new_page()
        sign_in(buyer, base, world["users"]["lead"])
        buyer.goto(base + "/firm/proposals")
        buyer.locator(f"#proposal-{pairing_id} button.accept").click()
        buyer.wait_for_load_state()
        assert "等待对方接受" in buyer.locator(".flash-success").inner_text()

        supplier = new_page()
        sign_in(supplier, base, world["users"]["sme"])
        supplier.goto(base + "/firm/proposals")
        card = supplier.locator(f"#proposal-{pairing_id}")
        assert "哈尔滨龙头装备" in card.inner_text()
        card.locator("button.accept").click()
        supplier.wait_for_load_state()
        assert "供应关系已建立" in supplier.locator(".flash-success").inner_text()

        # 2. The link's page, reached from the buyer's links: an order.
        buyer.goto(base + "/firm/links")
        row = buyer.locator("#links tbody tr", has_text="南岗精工")
        assert row.count() == 1 and "先付款" in row.inner_text()
        link_ref = row.locator("td a").first.inner_text().strip()
        row.locator("td a").first.click()
        buyer.wait_for_url("**/firm/links/*")
        link_url = buyer.url.split("#")[0]
        assert "S1 · 南岗精工" in buyer.locator("#link-facts").inner_text()
        assert "先付款" in buyer.locator("#link-facts").inner_text()
        buyer.fill("#orders-date", today.isoformat())
        buyer.fill("#orders-quantity", "10")
        buyer.click("#order-form button[type=submit]")
        buyer.wait_for_load_state()
        assert buyer.locator(".flash-success").count() == 1
        assert buyer.locator("#orders tbody tr").count() == 1

        # The supplier records a delivery from its own links page.
        supplier.goto(base + "/firm/links")
        supplier.locator("#links tbody tr", has_text=link_ref).locator("td a").first.click()
        supplier.wait_for_url(link_url + "*")
        assert supplier.locator("#orders tbody tr").count() == 1  # both sides see the order
        supplier.fill("#deliveries-date", today.isoformat())
        supplier.fill("#deliveries-quantity", "10")
        supplier.fill("#deliveries-amount", str(DELIVERED))
        supplier.click("#delivery-form button[type=submit]")
        supplier.wait_for_load_state()
        assert supplier.locator(".flash-success").count() == 1
        delivery = supplier.locator("#deliveries tbody tr")
        assert delivery.count() == 1 and "未确认" in delivery.inner_text()
        assert delivery.locator("button.accept").count() == 0  # only the buyer confirms

        # The buyer confirms the delivery, then pays part of it.
        buyer.goto(link_url)
        buyer.locator("#deliveries tbody tr button.accept").click()
        buyer.wait_for_load_state()
        assert buyer.locator(".flash-success").count() == 1
        assert "已确认" in buyer.locator("#deliveries tbody tr").inner_text()
        buyer.fill("#payments-date", today.isoformat())
        buyer.fill("#payments-amount", str(PAID))
        buyer.click("#payment-form button[type=submit]")
        buyer.wait_for_load_state()
        assert buyer.locator(".flash-success").count() == 1
        assert buyer.locator("#payments tbody tr").count() == 1
        assert _yuan(_cells(buyer.locator("#deliveries tbody tr"))[4]) == DELIVERED - PAID
        assert buyer.locator("#nothing-overdue").count() == 1  # not due yet

        # 3. The service's day moves to the first Monday after the due date (the weekly report is as of
        # its week's Monday); the scheduler's jobs run as they would that morning.
        due = today + timedelta(days=pay_days)
        moved = due + timedelta(days=7 - due.weekday())
        days_overdue = (moved - due).days
        app.config.update(TODAY=moved.isoformat())
        week, written = scheduler.weekly_report_job(app)
        assert written
        assert scheduler.commitment_reminders_job(app) >= 1
        assert scheduler.send_mail_job(app)["sent"] >= 1

        # The link's page now lists the delivery as overdue.
        buyer.goto(link_url)
        overdue = buyer.locator("#overdue tbody tr")
        assert overdue.count() == 1
        cells = _cells(overdue)
        assert cells[0] == "先付款" and cells[3] == str(days_overdue)
        assert _yuan(cells[4]) == DELIVERED - PAID

        # 4a. The buyer county's agenda lists the overdue commitment (L1 towards S1).
        county = new_page()
        sign_in(county, base, world["users"]["county"])
        county.click("nav >> text=调度议程")
        county.wait_for_url("**/taskforce/agenda")
        assert week in county.locator("h1").inner_text()
        item = county.locator('tr[data-key="commitment|L1|S1"]')
        assert item.count() == 1
        assert "逾期承诺" in item.inner_text() and "L1" in item.inner_text()
        shot(county, "agenda-article10-overdue")
        # In meeting mode the item shows what is overdue: the term, the supplier, the days, the yuan.
        total = county.locator("#agenda-items tbody tr").count() + county.locator("#agenda-routine tbody tr").count()
        county.click("#meeting-mode")
        county.wait_for_url("**/taskforce/agenda/meeting**")
        for _ in range(total):
            if "逾期承诺" in county.locator("#meeting-item").inner_text():
                break
            county.click("#decision-form a >> text=跳过")
            county.wait_for_load_state()
        assert "逾期承诺" in county.locator("#meeting-item").inner_text()
        assert "哈尔滨龙头装备" in county.locator("#meeting-item").inner_text()
        hit = county.locator("ul.hits li", has_text="南岗精工")
        assert hit.count() == 1
        assert "先付款" in hit.inner_text() and f"逾期{days_overdue}天" in hit.inner_text()
        assert "3,000" in hit.inner_text() or "3000" in hit.inner_text()

        # 4b. The scorecard: L1's row shows one overdue item and what is still unpaid.
        county.goto(base + "/taskforce/scorecard")
        assert week in county.locator("h1").inner_text()
        card_row = county.locator("#scorecard-firms tbody tr", has_text="L1")
        assert card_row.count() == 1 and "overdue" in (card_row.get_attribute("class") or "")
        cells = _cells(card_row)
        assert cells[2] == "1" and cells[3] == "1"  # orders, deliveries received
        assert cells[5] == "1" and _yuan(cells[6]) == DELIVERED - PAID
        card_row.locator("a").first.click()
        county.wait_for_url("**/taskforce/scorecard/L1")
        week_row = county.locator("#scorecard-weeks tbody tr", has_text=week)
        assert week_row.count() == 1 and _cells(week_row)[6] == "1"

        # 4c. The buyer's inbox holds the overdue notice.
        buyer.goto(base + "/")
        assert int(buyer.locator("#unread-count").inner_text().split()[0]) >= 1
        buyer.click("#inbox-link")
        notice = buyer.locator('#inbox li[data-kind="commitment_overdue"]')
        assert notice.count() == 1
        assert link_ref in notice.inner_text() and "逾期" in notice.inner_text()

        # 4d. The SMTP server received the overdue e-mail for the buyer, once.
        mails = [m for m in mailbox.messages if m["to"] == ["lead@example.cn"] and m["subject"] == OVERDUE_SUBJECT]
        assert len(mails) == 1
        assert link_ref in mails[0]["body"] and link_url in mails[0]["body"]
        assert not [m for m in mailbox.messages if m["to"] == ["sme@example.cn"] and m["subject"] == OVERDUE_SUBJECT]
    finally:
        smtp.stop()
        app.config.update(saved)
