"""Colour names are words on every page (issue 19): the board's drill-down once showed raw RED / YELLOW / GREEN /
PAUSED. Every list that colours its rows is read by the roles that see it, with red, yellow and paused rows in it."""

from __future__ import annotations

import re

import pytest

from tests.helpers.cases import overdue_case, rongque_case, text, visible_text
from tests.helpers.suite import htmx_headers

RAW = re.compile(r"\b(RED|YELLOW|GREEN|PAUSED|DONE)\b")
PAGES = {
    "central": (
        "/dashboard",
        "/dashboard/stations/LL",
        "/dashboard/clerks",
        "/dashboard/departments",
        "/dashboard/figures",
        "/cases/",
        "/cases/ledger",
        "/appeals/",
        "/meetings/",
        "/takeout/",
        "/bundles/",
        "/projects/",
        "/rectifications/",
    ),
    "staff-ll": ("/home", "/cases/?colour=red", "/cases/ledger", "/appeals/", "/meetings/", "/takeout/"),
}


@pytest.mark.parametrize("username", sorted(PAGES))
def test_no_page_shows_a_raw_colour_code(login_as, username):
    overdue_case()
    rongque_case()
    client = login_as(username)
    raw = {}
    for url in PAGES[username]:
        response = client.get(url)
        assert response.status_code == 200, url
        if found := RAW.findall(visible_text(text(response))):
            raw[url] = found[:5]
    if username == "central":  # the tile's own poll, an htmx fragment
        tile = client.get("/dashboard/tiles/LL", headers=htmx_headers("tile-LL"))
        assert tile.status_code == 200 and not RAW.findall(visible_text(text(tile)))
    assert not raw, raw
