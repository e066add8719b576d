"""Filters, pagination (page/page_size, X-Pagination), reference data, the OpenAPI document, the docs page."""
import json

from matchmaker.infra.extensions import db
from matchmaker.models import Firm
from tests import factories


def test_pagination_header_and_pages(client, world, as_role):
    firm = db.session.get(Firm, world.firms["own"])
    for i in range(7):
        factories.need(firm, ref=f"N-extra-{i}")
    db.session.commit()
    resp = client.get("/api/v1/needs?firm=F-OWN&page=2&page_size=3", headers=as_role("firm_own"))
    assert resp.status_code == 200
    meta = json.loads(resp.headers["X-Pagination"])
    assert meta["total"] == 8 and meta["total_pages"] == 3 and meta["page"] == 2
    assert [n["ref"] for n in resp.get_json()] == ["N-extra-2", "N-extra-3", "N-extra-4"]
    past = client.get("/api/v1/needs?page=99&page_size=3", headers=as_role("firm_own"))
    assert past.status_code == 200 and past.get_json() == []


def test_filters(client, world, as_role):
    h = as_role("admin")
    refs = lambda url: {x["ref"] for x in client.get(url, headers=h).get_json()}  # noqa: E731
    assert refs("/api/v1/offers?kind=leading") == {"O-sister", "O-jilin"}
    assert refs("/api/v1/offers?region=23&kind=sme") == {"O-own", "O-qiqihar"}
    assert refs("/api/v1/links?category=C2") == {"L-qiqihar"}
    assert refs("/api/v1/links?region=220102") == {"L-jilin"}
    assert refs("/api/v1/links?firm=F-JL") == {"L-jilin"}
    client.post(f"/api/v1/needs/{world.needs['sister']}/close", headers=h)
    assert refs("/api/v1/needs?status=closed") == {"N-sister"}
    assert refs("/api/v1/needs?status=open&region=230100") == {"N-own"}
    assert refs("/api/v1/firms?kind=sme&region=230000") == {"F-OWN", "F-QQH"}


def test_output_uses_package_field_names(client, world, as_role):
    h = as_role("admin")
    need = client.get(f"/api/v1/needs/{world.needs['own']}", headers=h).get_json()
    assert {"id", "ref", "firm", "category", "quantity", "needed_by", "terms", "status", "open_quantity",
            "committed_quantity", "version"} <= set(need)
    assert (need["firm"], need["category"]) == ("F-OWN", "C1")
    link = client.get(f"/api/v1/links/{world.links['jilin']}", headers=h).get_json()
    assert (link["supplier"], link["buyer"], link["quantity_per_week"]) == ("F-JL", "F-QQH", 10.0)
    firm = client.get(f"/api/v1/firms/{world.firms['qiqihar']}", headers=h).get_json()
    assert firm["region"] == "230202" and firm["live"] is True


def test_reference_data_is_public(client, world):
    regions = client.get("/api/v1/regions?within=2301&level=county").get_json()
    assert [r["code"] for r in regions] == ["230102", "230103"]
    assert client.get("/api/v1/regions/2301").get_json()["level"] == "city"
    cat = client.get("/api/v1/categories/C2").get_json()
    assert cat["inputs"] == ["C1"] and cat["unit"] == "piece"


def test_openapi_documents_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearerAuth": []}]
    core = ("/api/v1/firms", "/api/v1/needs", "/api/v1/offers", "/api/v1/links", "/api/v1/auth", "/api/v1/users",
            "/api/v1/regions", "/api/v1/categories")
    for path, item in spec["paths"].items():
        if not path.startswith(core) or path.endswith("/best-partners"):
            continue  # other modules' operations are checked by their own tests
        for method, op in item.items():
            if method == "parameters":
                continue
            assert op.get("summary"), (method, path)
            codes = set(op["responses"])
            public = op.get("security") == []
            if not public:
                assert "401" in codes, (method, path)
            if method in ("post", "put", "patch") and "requestBody" in op:
                assert {"422", "415"} <= codes, (method, path)
    for path in ("/api/v1/needs", "/api/v1/needs/{need_id}", "/api/v1/needs/{need_id}/close", "/api/v1/firms",
                 "/api/v1/firms/{firm_id}/status", "/api/v1/links/{link_id}/deactivate", "/api/v1/auth/tokens",
                 "/api/v1/auth/tokens/{token_id}", "/api/v1/auth/me", "/api/v1/regions", "/api/v1/categories"):
        assert path in spec["paths"], path
    assert spec["paths"]["/api/v1/auth/tokens"]["post"]["security"] == []


def test_docs_page_works_offline_without_inline_script(client, app):
    import os
    import re

    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "http://" not in html and "https://" not in html
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(url).status_code == 200, url
    assert os.path.exists(os.path.join(app.static_folder, "vendor", "swagger-ui", "LICENSE"))
