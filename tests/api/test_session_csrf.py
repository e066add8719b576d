"""A browser signed in with the web session may use the API; its writes must carry the CSRF token."""
from itsdangerous import URLSafeTimedSerializer

from matchmaker import create_app
from matchmaker.infra.config import TestConfig
from matchmaker.infra.extensions import db as _db
from matchmaker.models import User
from tests.services.world import build_world


def test_session_api_writes_need_the_csrf_token():
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "WTF_CSRF_ENABLED": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        _db.create_all()
        try:
            world = build_world()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = _db.session.get(User, world.users["firm_own"]).get_id()
                session["_fresh"] = True
                session["csrf_token"] = "raw-token"
            body = {"category": "C1", "quantity": 4, "needed_by": "2020-05-01"}
            assert client.get("/api/v1/needs").status_code == 200           # reads: the session suffices
            assert client.post("/api/v1/needs", json=body).status_code == 403  # writes: CSRF token missing
            assert client.post("/api/v1/needs", json=body, headers={"X-CSRFToken": "forged"}).status_code == 403
            signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("raw-token")
            resp = client.post("/api/v1/needs", json=body, headers={"X-CSRFToken": signed})
            assert resp.status_code == 201, resp.get_json()
        finally:
            _db.session.remove()
            _db.drop_all()
