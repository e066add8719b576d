"""GET /api/v1/products?q= (issue 10, item 5): public, paginated like the other lists, best match
first, each item with its unit, category (code and names) and HS subheading; a bad query is 422."""
import json

import pytest

from matchmaker.services import products
from matchmaker.services.reference_data import ensure_reference_data


@pytest.fixture
def catalogue(app):
    products.invalidate_index()
    ensure_reference_data()
    yield
    products.invalidate_index()


def test_search_is_public_paginated_and_ranked(client, catalogue):
    res = client.get("/api/v1/products?q=milk&page=1&page_size=5")
    assert res.status_code == 200
    meta = json.loads(res.headers["X-Pagination"])
    assert meta["page"] == 1 and meta["total"] > 5 and meta["total_pages"] == -(-meta["total"] // 5)
    items = res.get_json()
    assert len(items) == 5
    assert items[0] == {"code": "P003001", "name_zh": "生鲜乳", "name_en": "Raw milk", "unit": "t", "hs": "040120",
                        "category": {"code": "IO003", "name": "畜牧产品", "name_en": items[0]["category"]["name_en"]}}
    assert items[0]["category"]["name_en"] == "Animal husbandry"
    second = client.get("/api/v1/products?q=milk&page=2&page_size=5").get_json()
    assert not {i["code"] for i in items} & {i["code"] for i in second}


@pytest.mark.parametrize("q,first", [
    ("P003001", "P003001"),  # a product code
    ("040120", "P003001"),   # an HS subheading: every product under it, in code order
    ("生鲜乳", "P003001"),
    ("sxr", "P003001"),      # pinyin initials
    ("shengxianru", "P003001"),
    ("原奶", "P003001"),     # an alias
    ("RAW MILK", "P003001"),
])
def test_every_way_of_naming_raw_milk_finds_it_first(client, catalogue, q, first):
    items = client.get("/api/v1/products", query_string={"q": q}).get_json()
    assert items and items[0]["code"] == first


def test_a_category_code_lists_its_products_and_no_query_lists_all(client, catalogue):
    items = client.get("/api/v1/products?q=IO073&page_size=500").get_json()
    assert items and {i["category"]["code"] for i in items} == {"IO073"}
    res = client.get("/api/v1/products?page_size=10")
    assert json.loads(res.headers["X-Pagination"])["total"] >= 600
    assert [i["code"] for i in res.get_json()] == sorted(i["code"] for i in res.get_json())


def test_one_product_by_code_and_404(client, catalogue):
    assert client.get("/api/v1/products/P003001").get_json()["name_zh"] == "生鲜乳"
    res = client.get("/api/v1/products/P999999")
    assert res.status_code == 404 and res.get_json()["code"] == 404


@pytest.mark.parametrize("query", ["q=" + "x" * 101, "q=a%00b", "page_size=501", "page=0"])
def test_bad_queries_are_422(client, catalogue, query):
    res = client.get("/api/v1/products?" + query)
    assert res.status_code == 422, res.get_json()


def test_documented_in_openapi_as_public(client, catalogue):
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/api/v1/products"]["get"]
    assert op["security"] == []
    assert {p["name"] for p in op["parameters"]} >= {"q", "page", "page_size"}
