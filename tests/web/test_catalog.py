"""Public catalogue: full page vs fragment, search, filters, station scope, item page, 一优五减 page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from stations.catalog.models import ServiceItem
from stations.extensions import db
from tests.helpers.suite import htmx_headers

COUNT_RE = re.compile(r"共 (\d+) 项")
CODE_RE = re.compile(r'href="/catalog/items/([^"]+)"')


def results(client, query: str = "", **headers) -> tuple[int, list[str]]:
    """(total, item codes on the page) of the fragment answer for a query string."""
    response = client.get(f"/catalog/?{query}", headers=htmx_headers("item-table", **headers))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    match = COUNT_RE.search(body)
    assert match, body[:500]
    return int(match.group(1)), CODE_RE.findall(body)


def test_full_page_has_the_search_form_and_the_results(client):
    response = client.get("/catalog/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in body
    assert "<h1>" in body
    assert 'id="item-table"' in body
    assert 'id="catalog-search"' in body
    assert '<label class="label" for="catalog-search">' in body
    # The same form works without JavaScript: a GET form with a submit button.
    assert 'method="get" action="/catalog/"' in body
    assert '<button type="submit"' in body
    for attribute in (
        'hx-get="/catalog/"',
        'hx-target="#item-table"',
        'hx-replace-url="true"',
        'hx-sync="this:replace"',
    ):
        assert attribute in body
    assert "input changed delay:300ms" in body
    assert "共 555 项" in body
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_search_gets_only_the_item_table(client):
    response = client.get("/catalog/?q=社会保障卡", headers=htmx_headers("item-table"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert "<h1" not in body
    assert 'id="catalog-search"' not in body
    assert "社会保障卡申领" in body
    assert "HX-Request" in response.headers["Vary"]
    assert "HX-Target" in response.headers["Vary"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "item-table"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "item-table"},
        {"HX-Request": "true", "HX-Target": "somewhere-else"},
    ],
)
def test_boosted_history_and_unknown_targets_get_the_full_page(client, headers):
    response = client.get("/catalog/?q=社会保障卡", headers=headers)
    body = response.get_data(as_text=True)
    assert "<html" in body
    assert 'id="catalog-search"' in body
    assert "HX-Request" in response.headers["Vary"]


def test_the_pushed_url_renders_a_full_page_with_the_search_filled_in(client):
    body = client.get("/catalog/?q=sbk&kind=instant&dept=SB").get_data(as_text=True)
    assert "<html" in body
    assert 'value="sbk"' in body
    assert '<option selected value="instant">' in body
    assert '<option selected value="SB">人社(社保)</option>' in body
    assert "社会保障卡挂失与解挂" in body


@pytest.mark.parametrize(
    ("query", "expected_code"),
    [
        ("q=社会保障卡申领", "GG-SB-0005"),  # name
        ("q=GG-SB-0005", "GG-SB-0005"),  # code
        ("q=gg-sb-0005", "GG-SB-0005"),  # code, any case
        ("q=shbzksl", "GG-SB-0005"),  # pinyin initials of 社会保障卡申领
        ("q=SHBZKSL", "GG-SB-0005"),
        ("q=sbk", "GG-SB-0005"),  # everyday name 社保卡, by its initials
        ("q=社保卡", "GG-SB-0005"),
        ("q=qssb", "QT-SW-0006"),  # 清税申报
    ],
)
def test_search_by_name_code_and_pinyin_initials(client, query, expected_code):
    total, codes = results(client, query)
    assert expected_code in codes
    assert total == len(codes) <= 30


def test_search_by_code_is_exact_enough_to_find_one_item(client):
    assert results(client, "q=GG-SB-0005") == (1, ["GG-SB-0005"])


def test_search_by_department_name(client):
    total, codes = results(client, "q=住房公积金")
    expected = db.session.scalar(
        select(db.func.count(ServiceItem.id)).join(ServiceItem.department).where(ServiceItem.department.has(code="GJJ"))
    )
    assert total == expected > 30
    assert all("-GJJ-" in code for code in codes)


def test_every_word_must_match(client):
    assert results(client, "q=社会保障卡 挂失") == (1, ["GG-SB-0006"])
    assert results(client, "q=社会保障卡 不存在的词")[0] == 0


@pytest.mark.parametrize("text", ["%", "_", "%25", "' OR 1=1 --"])
def test_wildcards_and_quotes_are_literal(client, text):
    total, codes = results(client, f"q={text}")
    assert (total, codes) == (0, [])


def test_no_result_says_so(client):
    body = client.get("/catalog/?q=zzzzzz", headers=htmx_headers("item-table")).get_data(as_text=True)
    assert "共 0 项" in body
    assert "没有找到符合条件的事项" in body


@pytest.mark.parametrize(
    ("query", "expected_total"),
    [
        ("", 555),
        ("kind=instant", 353),
        ("kind=committed", 202),
        ("kind=bogus", 555),  # an unknown value is no filter, never an error
        ("station=ZX", 555),
        ("station=LL", 152),
        ("station=ll", 152),
        ("station=QH", 152),
        ("station=HZ", 152),
        ("station=YD1", 118),
    ],
)
def test_filters_and_station_scope_counts(client, query, expected_total):
    assert results(client, query)[0] == expected_total


def test_department_filter(client):
    total, codes = results(client, "dept=SW")
    assert total > 30
    assert len(codes) == 30
    assert all("-SW-" in code for code in codes)
    assert results(client, "dept=NOPE")[0] == 0


def test_filters_combine_with_station_and_search(client):
    total, codes = results(client, "station=LL&dept=SCJG&kind=committed")
    assert 0 < total < 152
    assert all("-SCJG-" in code for code in codes)
    committed = set(db.session.scalars(select(ServiceItem.code).where(ServiceItem.is_instant.is_(False))))
    assert set(codes) <= committed


def test_centre_only_items_are_not_in_a_station_scope(client):
    assert results(client, "q=不动产抵押权首次登记")[0] == 1
    assert results(client, "station=LL&q=不动产抵押权首次登记")[0] == 0


def test_station_page_shows_how_the_station_handles_each_item(client):
    body = client.get("/catalog/?station=LL&q=企业设立登记").get_data(as_text=True)
    assert "两链融合示范园政务服务驿站 · 办事指南" in body
    assert "代收转中心" in body  # collected at the station, decided at the centre
    assert 'aria-current="page">两链融合示范园政务服务驿站</a>' in body
    assert '<input type="hidden" name="station" value="LL">' in body


def test_unknown_station_is_404(client):
    assert client.get("/catalog/?station=NOPE").status_code == 404
    assert client.get("/catalog/metrics?station=NOPE").status_code == 404


def test_station_chooser_lists_all_seven(client):
    body = client.get("/catalog/").get_data(as_text=True)
    for code in ("ZX", "LL", "QH", "HZ", "YD1", "YD2", "YD3"):
        assert f'href="/catalog/?station={code}"' in body


def test_pagination(client):
    total, first_page = results(client)
    assert total == 555
    _, second_page = results(client, "page=2")
    assert len(first_page) == len(second_page) == 30
    assert not set(first_page) & set(second_page)
    body = client.get("/catalog/?page=2", headers=htmx_headers("item-table")).get_data(as_text=True)
    assert "第 31–60 项" in body
    # Pager links work with and without htmx and keep the filters.
    assert 'href="/catalog/?page=3"' in body
    assert 'hx-get="/catalog/?page=3"' in body
    filtered = client.get("/catalog/?kind=instant&q=登记", headers=htmx_headers("item-table")).get_data(as_text=True)
    assert 'href="/catalog/?q=%E7%99%BB%E8%AE%B0&amp;kind=instant&amp;page=2"' in filtered


@pytest.mark.parametrize(
    ("page", "expected_first"), [("999", "第 541–555 项"), ("0", "第 1–30 项"), ("x", "第 1–30 项")]
)
def test_out_of_range_pages_are_clamped(client, page, expected_first):
    body = client.get(f"/catalog/?page={page}", headers=htmx_headers("item-table")).get_data(as_text=True)
    assert expected_first in body


@pytest.mark.parametrize("station", ["", "station=LL&"])
@pytest.mark.parametrize("fragment", [True, False])
def test_query_count_does_not_grow_with_the_page(client, count_queries, station, fragment):
    headers = htmx_headers("item-table") if fragment else {}
    client.get("/catalog/")  # warm up: the test transaction's BEGIN is not the page's
    counts = []
    for query in ("q=GG-SB-0005", ""):  # 1 item, then a full page of 30
        with count_queries() as counter:
            body = client.get(f"/catalog/?{station}{query}", headers=headers).get_data(as_text=True)
        counts.append(counter.count)
        assert len(CODE_RE.findall(body)) == (1 if query else 30)
    assert counts[0] == counts[1]
    assert counts[1] <= (4 if fragment else 6)


def test_item_page(client):
    response = client.get("/catalog/items/GG-SB-0005")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>社会保障卡申领</h1>" in body
    for text in (
        "人社(社保)",  # department
        "公共服务",  # item type
        "承诺件",
        "20 个工作日",  # statutory
        "5 个工作日",  # promised
        "1 次",  # visits
        "不收费",
        "受理条件",
        "设定依据",
        "审批结果文书",
        "社会保障卡申领申请表",  # materials
        "主要材料",
        "次要材料",
        "非必需",
        "可容缺",
        "西咸新区政务服务(泾河)中心",  # who offers it
        "可直接受理",
        'href="/stations/LL"',
    ):
        assert text in body, text


def test_item_page_shows_collecting_stations(client):
    code = db.session.scalar(select(ServiceItem.code).where(ServiceItem.name == "企业设立登记(有限责任公司)"))
    body = client.get(f"/catalog/items/{code}").get_data(as_text=True)
    assert "代收转中心" in body
    assert "行政许可" in body


def test_instant_item_page(client):
    body = client.get("/catalog/items/GG-SB-0006").get_data(as_text=True)
    assert "即办件" in body
    assert "当场办结" in body
    assert "零跑动" in body
    assert "全程网办" in body


def test_item_page_query_count_is_bounded(client, count_queries):
    client.get("/catalog/")
    with count_queries() as counter:
        assert client.get("/catalog/items/GG-SB-0005").status_code == 200
    assert counter.count <= 3


def test_unknown_or_inactive_item_is_404(client):
    assert client.get("/catalog/items/NOPE-0000").status_code == 404
    item = db.session.scalar(select(ServiceItem).where(ServiceItem.code == "GG-SB-0005"))
    item.is_active = False
    db.session.flush()
    assert client.get("/catalog/items/GG-SB-0005").status_code == 404
    assert results(client, "q=GG-SB-0005")[0] == 0


def test_metrics_page_matches_the_report(client):
    response = client.get("/catalog/metrics")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>" in body
    for figure in ("555", "11448", "1070", "10378", "90.65%", "99.46%", "63.60%", "25.59%"):
        assert figure in body, figure
    assert "人社(社保)" in body and "开发建设部" in body  # per-department table
    assert 'href="/catalog/?dept=SB"' in body


def test_metrics_page_for_a_station(client, count_queries):
    client.get("/catalog/")
    with count_queries() as counter:
        body = client.get("/catalog/metrics?station=LL").get_data(as_text=True)
    assert "两链融合示范园政务服务驿站 · “一优五减”成效" in body
    assert ">152<" in body
    assert "不动产登记" not in body  # centre-only department
    assert counter.count <= 5


def test_nav_links_to_catalogue_and_stations(client):
    body = client.get("/catalog/").get_data(as_text=True)
    assert 'href="/catalog/">办事指南</a>' in body
    assert 'href="/stations/">服务网点</a>' in body
