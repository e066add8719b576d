"""The inbox pages (issue 13, item 7): the unread count in the header, the list, mark read, and the
per-kind e-mail settings."""
import re

import sqlalchemy as sa

from matchmaker.infra.extensions import db as _db
from matchmaker.models import Notification, OutboxMail, User
from matchmaker.services import notifications


def _unread(html):
    m = re.search(r'id="unread-count">(\d+)<', html)
    return int(m.group(1)) if m else 0


def test_header_count_list_and_mark_read(as_user, world, db):
    for week in ("2020-W11", "2020-W12"):
        notifications.report_ready(week)
    _db.session.commit()
    c = as_user("county")
    home = c.get("/").text
    assert _unread(home) == 2 and 'id="inbox-link"' in home
    page = c.get("/inbox").text
    assert page.count('class="notice unread"') == 2 and "2020-W12 的周报已生成" in page
    first = _db.session.scalar(sa.select(Notification).where(Notification.user_id == world["users"]["county"].id)
                               .order_by(Notification.id))
    resp = c.post(f"/inbox/{first.id}/read", data={"open": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/taskforce/report?week=2020-W11")
    assert _unread(c.get("/inbox").text) == 1
    c.post("/inbox/read-all")
    assert _unread(c.get("/").text) == 0 and 'class="notice unread"' not in c.get("/inbox").text
    # firm users have no weekly-report news; another user's notification is not theirs to mark
    lead = as_user("lead")
    assert _unread(lead.get("/").text) == 0
    assert lead.post(f"/inbox/{first.id}/read").status_code == 404


def test_mail_settings_per_kind(as_user, world, db):
    c = as_user("city")
    page = c.get("/inbox/settings").text
    assert 'id="mail-report_ready" checked' in page.replace('"  checked', '" checked')
    kinds = ["proposal_arrived", "link_formed"]  # everything else off
    assert c.post("/inbox/settings", data={"mail": kinds}).status_code == 302
    user = _db.session.scalar(sa.select(User).where(User.email == "city@example.cn"))
    _db.session.refresh(user)
    assert notifications.mail_settings(user)["report_ready"] is False
    assert notifications.mail_settings(user)["link_formed"] is True
    notifications.report_ready("2020-W13")
    _db.session.commit()
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)
                              .where(OutboxMail.to_address == "city@example.cn")) == 0
    assert _unread(c.get("/").text) == 1  # the inbox still has it
