"""Queries per API call do not grow with the data: 3 cases or 60 (more than a page of 50), for every kind of scope."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from stations.auth import tokens
from stations.cases.models import Case
from stations.cases.queries import QueueFilters, case_rows
from stations.demo.scale import add_synthetic_cases
from stations.extensions import db
from tests import factories as f
from tests.helpers.plans import last_statement, sqlite_plan


def _grow_to_sixty(gd: f.Client) -> None:
    """57 more cases at LL, all of ``gd``, clerk-ll's client (so that staff-ll, clerk-ll, gd and central see them all)."""
    add_synthetic_cases(57, station_codes=["LL"])
    db.session.execute(update(Case).values(enterprise_id=gd.enterprise.id, clerk_id=gd.clerk.id))
    db.session.flush()


@pytest.mark.parametrize(
    ("username", "query"),
    [
        ("staff-ll", ""),
        ("clerk-ll", ""),
        ("gd's account", ""),
        ("central", ""),
        ("staff-ll", "?warn_level=GREEN"),
        ("staff-ll", "?status=RECEIVED&page=2"),
    ],
)
def test_list_issues_the_same_queries_for_3_and_60_cases(login_as, count_queries, username, query, gd):
    for _ in range(3):
        f.make_case(enterprise=gd.enterprise)
    client = login_as(gd.username if username == "gd's account" else username)
    url = f"/api/v1/cases{query}"
    client.get(url)  # warm-up: the session's user, caches
    with count_queries() as few:
        small = client.get(url)
    _grow_to_sixty(gd)
    with count_queries() as many:
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert len(small.get_json()["items"]) <= 3
    if not query:
        assert len(large.get_json()["items"]) == 50 and large.get_json()["next_page"] == 2
    assert few.count == many.count, (few.statements, many.statements)
    assert few.count <= 3  # the user, the page (with item, station, enterprise and clerk joined)


def test_bearer_list_issues_the_same_queries_for_3_and_60_cases(client, count_queries, gd):
    for _ in range(3):
        f.make_case(enterprise=gd.enterprise)
    _row, token = tokens.issue_token(f.user("staff-ll"), "bench")
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/cases", headers=headers)  # first use writes last_used_at
    with count_queries() as few:
        client.get("/api/v1/cases", headers=headers)
    _grow_to_sixty(gd)
    with count_queries() as many:
        assert len(client.get("/api/v1/cases", headers=headers).get_json()["items"]) == 50
    assert few.count == many.count <= 3


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "ix_cases_station_received"),  # a station's newest cases: the index, in order, no sort
        ({"colour": "red"}, "ix_cases_station_status"),  # rare: looked up by status, then sorted
        ({"colour": "done"}, "ix_cases_station_received"),  # most of the history: in date order
        ({"status": "DELIVERED"}, "ix_cases_station_received"),
        ({"status": "RECEIVED"}, "ix_cases_station_status"),
    ],
)
def test_station_lists_use_the_right_index(app, filters, index):
    """EXPLAIN of the staff list (SQLite keeps no statistics, so the plan does not depend on the data)."""
    statement, parameters = last_statement(
        lambda: case_rows(f.user("staff-ll"), QueueFilters(**filters), page_size=50, order="newest")
    )
    if db.session.connection().dialect.name == "sqlite":
        plan = sqlite_plan(statement, parameters)
        assert f"USING INDEX {index} (station_id=?" in plan, plan
    else:  # PostgreSQL plans from its statistics; the hint is SQLite-only
        assert "+cases." not in statement
