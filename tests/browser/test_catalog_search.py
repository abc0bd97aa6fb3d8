"""Active search on the catalogue in a real browser: htmx swaps #item-table in place and replaces the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Response, expect

TARGET = "社会保障卡申领"


def _is_search(query: str):
    def predicate(response: Response) -> bool:
        url = urlsplit(response.url)
        return url.path == "/catalog/" and parse_qs(url.query).get("q") == [query]

    return predicate


@pytest.mark.browser
def test_catalog_search_swaps_the_results_without_reloading(page: Page, login):
    login("staff-ll")
    page.goto("/catalog/?station=LL")
    table = page.locator("#item-table")
    names = table.locator("tbody tr td:first-child a")
    expect(names.first).to_be_visible()
    unrelated = [name for name in names.all_inner_texts() if "社会保障卡" not in name]
    assert len(unrelated) >= 5, unrelated
    page.evaluate("window.__marker = 1")

    search = page.locator("#catalog-search")
    for query, pattern in (("社保卡", r"q=%E7%A4%BE%E4%BF%9D%E5%8D%A1"), ("sbk", r"q=sbk")):
        with page.expect_response(_is_search(query)) as info:
            if query == "sbk":
                search.fill("")
            search.press_sequentially(query)
        response = info.value
        assert response.ok
        assert response.request.headers.get("hx-request") == "true"
        assert response.request.headers.get("hx-target") == "item-table"
        assert "<html" not in response.text(), "an htmx search must answer the fragment only"
        # hx-replace-url updates the address at the swap: after this, #item-table holds this query's results.
        expect(page).to_have_url(re.compile(rf"/catalog/\?(.*&)?{pattern}(&|$)"))
        expect(page).to_have_url(re.compile(r"station=LL"))
        expect(names.filter(has_text=TARGET)).to_have_count(1)
        for name in unrelated:
            expect(names.filter(has_text=re.compile(f"^{re.escape(name)}$"))).to_have_count(0)
        assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped by htmx"
