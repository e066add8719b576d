"""The notifications API (issue 13): your inbox in your language, mark read, e-mail settings."""
from matchmaker.infra.extensions import db
from matchmaker.services import notifications
from tests.services.world import actor


def test_inbox_mark_read_and_settings(client, world, as_role):
    notifications.report_ready("2020-W12")
    db.session.commit()
    h = as_role("county_staff")
    rows = client.get("/api/v1/notifications", headers=h).get_json()
    assert len(rows) == 1 and rows[0]["kind"] == "report_ready" and rows[0]["read_at"] is None
    assert rows[0]["text"] == "2020-W12 的周报已生成。"
    assert client.get("/api/v1/notifications", headers=as_role("firm_own")).get_json() == []
    assert client.post(f"/api/v1/notifications/{rows[0]['id']}/read", headers=as_role("city_staff")).status_code == 404
    done = client.post(f"/api/v1/notifications/{rows[0]['id']}/read", headers=h).get_json()
    assert done["read_at"] is not None
    assert client.get("/api/v1/notifications?unread=true", headers=h).get_json() == []
    assert client.get("/api/v1/notifications/settings", headers=h).get_json()["report_ready"] is True
    resp = client.put("/api/v1/notifications/settings", json={"report_ready": False}, headers=h)
    assert resp.status_code == 200 and resp.get_json()["report_ready"] is False
    assert notifications.mail_settings(actor(world, "county_staff"))["report_ready"] is False
    assert client.put("/api/v1/notifications/settings", json={"gossip": True}, headers=h).status_code == 422
