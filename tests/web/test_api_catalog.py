"""JSON API v1, public catalogue reads (contract.md): exact shapes and the report's figures."""

from __future__ import annotations

import pytest

STATION_KEYS = ["code", "name", "kind", "item_count"]
ITEM_KEYS = [
    "code",
    "name",
    "department",
    "item_type",
    "statutory_days",
    "promised_days",
    "is_instant",
    "max_visits",
    "materials",
]
MATERIAL_KEYS = ["code", "name", "required", "rongque_allowed"]
METRICS_KEYS = [
    "item_count",
    "statutory_days_total",
    "promised_days_total",
    "compression_ratio",
    "one_visit_ratio",
    "instant_ratio",
]


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_stations(client):
    stations = get_json(client, "/api/v1/stations")
    assert [list(s) for s in stations] == [STATION_KEYS] * 7
    assert [(s["code"], s["kind"], s["item_count"]) for s in stations] == [
        ("ZX", "CENTER", 555),  # every item: the department windows and the 190 comprehensive ones
        ("LL", "PARK", 152),
        ("QH", "PARK", 152),
        ("HZ", "BUILDING", 152),
        ("YD1", "COMMERCIAL", 118),
        ("YD2", "COMMERCIAL", 118),
        ("YD3", "COMMERCIAL", 118),
    ]
    assert stations[1]["name"] == "两链融合示范园政务服务驿站"


def test_chinese_is_sent_as_utf8(client):
    body = client.get("/api/v1/stations").get_data()
    assert "两链融合示范园政务服务驿站".encode() in body


def test_whole_catalogue(client):
    items = get_json(client, "/api/v1/catalog")
    assert len(items) == 555
    assert len({item["code"] for item in items}) == 555
    assert all(list(item) == ITEM_KEYS for item in items)
    assert all(list(m) == MATERIAL_KEYS for item in items for m in item["materials"])
    assert sum(item["is_instant"] for item in items) == 353
    assert sum(item["statutory_days"] for item in items) == 11448
    assert sum(item["promised_days"] for item in items) == 1070


def test_one_item_in_full(client):
    assert get_json(client, "/api/v1/catalog?q=GG-SB-0005") == [
        {
            "code": "GG-SB-0005",
            "name": "社会保障卡申领",
            "department": "人社(社保)",
            "item_type": "GG",
            "statutory_days": 20,
            "promised_days": 5,
            "is_instant": False,
            "max_visits": 1,
            "materials": [
                {"code": "M01", "name": "社会保障卡申领申请表", "required": True, "rongque_allowed": False},
                {"code": "M02", "name": "营业执照副本", "required": True, "rongque_allowed": False},
                {"code": "M03", "name": "法定代表人身份证复印件", "required": True, "rongque_allowed": True},
                {"code": "M04", "name": "经办人授权委托书", "required": True, "rongque_allowed": True},
                {"code": "M05", "name": "其他补充说明材料", "required": False, "rongque_allowed": True},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("station=ZX", 555),
        ("station=LL", 152),
        ("station=ll", 152),
        ("station=YD3", 118),
        ("station=", 555),
        ("station=LL&q=shbzk", 2),  # pinyin initials
        ("q=sbk", 2),  # everyday name
        ("q=社会保障卡 挂失", 1),
        ("q=%25", 0),  # a literal %
        ("station=LL&q=不动产抵押权首次登记", 0),  # centre only
    ],
)
def test_catalogue_filters(client, query, expected):
    assert len(get_json(client, f"/api/v1/catalog?{query}")) == expected


def test_search_matches_department_names(client):
    items = get_json(client, "/api/v1/catalog?q=住房公积金")
    assert items
    assert {item["department"] for item in items} == {"住房公积金"}


@pytest.mark.parametrize("url", ["/api/v1/catalog?station=NOPE", "/api/v1/metrics/catalog?station=NOPE"])
def test_unknown_station_is_a_json_404(client, url):
    error = get_json(client, url, status=404)
    assert error == {"error": {"code": "station_not_found", "message": "没有编码为 NOPE 的网点。"}}


def test_overlong_query_is_a_json_400(client):
    error = get_json(client, "/api/v1/catalog?q=" + "a" * 51, status=400)
    assert error["error"]["code"] == "query_too_long"
    assert get_json(client, "/api/v1/catalog?q=" + "a" * 50) == []


def test_unknown_api_url_is_a_json_404(client):
    assert get_json(client, "/api/v1/nothing-here", status=404)["error"]["code"] == "404"


def test_metrics_match_the_report(client):
    assert get_json(client, "/api/v1/metrics/catalog") == {
        "item_count": 555,
        "statutory_days_total": 11448,
        "promised_days_total": 1070,
        "compression_ratio": 0.9065,
        "one_visit_ratio": 0.9946,
        "instant_ratio": 0.636,
    }


def test_station_metrics_agree_with_the_station_catalogue(client):
    metrics = get_json(client, "/api/v1/metrics/catalog?station=LL")
    items = get_json(client, "/api/v1/catalog?station=LL")
    assert list(metrics) == METRICS_KEYS
    statutory = sum(i["statutory_days"] for i in items)
    promised = sum(i["promised_days"] for i in items)
    assert metrics["item_count"] == len(items) == 152
    assert metrics["statutory_days_total"] == statutory
    assert metrics["promised_days_total"] == promised
    assert metrics["compression_ratio"] == round((statutory - promised) / statutory, 4)
    assert metrics["one_visit_ratio"] == round(sum(i["max_visits"] <= 1 for i in items) / len(items), 4)
    assert metrics["instant_ratio"] == round(sum(i["is_instant"] for i in items) / len(items), 4)


@pytest.mark.parametrize("station", ["", "station=LL&"])
def test_catalogue_query_count_does_not_grow_with_the_result(client, count_queries, station):
    client.get("/api/v1/stations")  # warm up: the test transaction's BEGIN is not the endpoint's
    sizes, counts = [], []
    for query in ("q=GG-SB-0005", "q=登记"):  # one item, then dozens
        with count_queries() as counter:
            sizes.append(len(get_json(client, f"/api/v1/catalog?{station}{query}")))
        counts.append(counter.count)
    assert sizes[0] == 1
    assert sizes[1] >= 30
    # station lookup (with a station), items with departments joined, materials selectin-loaded
    assert counts[0] == counts[1] == (3 if station else 2)


def test_whole_catalogue_query_count(client, count_queries):
    client.get("/api/v1/stations")
    with count_queries() as counter:
        assert len(get_json(client, "/api/v1/catalog")) == 555
    assert counter.count <= 3  # items, then materials in selectin batches of 500


def test_stations_and_metrics_are_one_query_each(client, count_queries):
    client.get("/api/v1/stations")
    for url in ("/api/v1/stations", "/api/v1/metrics/catalog"):
        with count_queries() as counter:
            get_json(client, url)
        assert counter.count == 1, url
