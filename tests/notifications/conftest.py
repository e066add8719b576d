"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and a small world of a
leading firm, an SME, their users and staff."""
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from matchmaker.infra.extensions import db as _db
from matchmaker.services.notifications import MailSettings
from tests import factories
from tests.scale.processes import free_port  # noqa: F401 - also for the tests that import it from here


class Inbox:
    """What the SMTP server received: (to, subject, body, message-id) per message."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content)
        body = msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8")
        self.messages.append({"to": list(envelope.rcpt_tos), "subject": str(make_header(decode_header(msg["Subject"]))),
                              "body": body, "message_id": msg["Message-ID"]})
        return "250 OK"




@pytest.fixture
def smtp_server():
    """(inbox, port) of a running local SMTP server."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(port, **kw):
    return MailSettings(host="127.0.0.1", port=port, timeout=5, sender="noreply@matchmaker.test", **kw)


@pytest.fixture
def people(app):
    """Leading firm L1 (county 230102) and SME S1 (230103), a user each, county staff of each, an admin."""
    factories.region("230000", name="黑龙江省")
    factories.region("230100", name="哈尔滨市")
    factories.region("230102", name="道里区")
    factories.region("230103", name="南岗区", lat=45.75, lon=126.68)
    factories.region("220102", name="南关区", lat=43.86, lon=125.32)
    lead = factories.firm("L1", kind="leading", region_code="230102", name="龙头一厂")
    sme = factories.firm("S1", kind="sme", region_code="230103", name="小厂一号")
    other = factories.firm("X1", kind="sme", region_code="220102", name="外省小厂")
    users = {
        "lead": factories.user("firm", lead, email="lead@example.cn"),
        "sme": factories.user("firm", sme, email="sme@example.cn"),
        "other": factories.user("firm", other, email="other@example.cn"),
        "county": factories.user("staff", region_code="230102", email="county@example.cn"),
        "county2": factories.user("staff", region_code="230103", email="county2@example.cn"),
        "jilin": factories.user("staff", region_code="220102", email="jl@example.cn"),
        "admin": factories.user("admin", email="admin@example.cn"),
    }
    _db.session.commit()
    return {"lead": lead, "sme": sme, "other": other, "users": users}
