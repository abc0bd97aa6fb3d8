"""The API's list reads columns (queries.case_values) where the pages read objects (queries.case_rows): both must give
the same cases, in the same order, with the same colours, and the same JSON, whoever asks and whatever the filter."""

from __future__ import annotations

import pytest

from stations.api import serializers
from stations.cases.queries import QueueFilters, case_rows, case_values
from stations.domain.deadlines import WarnLevel
from stations.timeutil import utcnow
from tests import factories as f

FILTERS = [
    QueueFilters(include_closed=True),
    QueueFilters(),
    QueueFilters(status="RECEIVED"),
    QueueFilters(colour=WarnLevel.GREEN.value, include_closed=True),
    QueueFilters(q="LL"),
]


@pytest.mark.parametrize("username", ["staff-ll", "clerk-ll", "central", "client", "dept-rs"])
@pytest.mark.parametrize("order", ["urgency", "newest"])
@pytest.mark.parametrize("filters", FILTERS, ids=["all", "open", "received", "green", "number"])
def test_values_and_objects_give_the_same_page(gd, username, order, filters):
    for _ in range(4):
        f.make_case(enterprise=gd.enterprise)
    user = gd.account if username == "client" else f.user(username)
    compared, now = 0, utcnow()  # one instant for both reads: a colour must not change between them
    for page in (1, 2):
        objects = case_rows(user, filters, page=page, page_size=3, order=order, now=now)
        values = case_values(user, filters, page=page, page_size=3, order=order, now=now)
        assert [serializers.case(case, level, show_query_code=True) for case, level in objects.rows] == [
            serializers.case_from_values(row, row.warn_level, show_query_code=True) for row in values.rows
        ]
        assert objects.has_next == values.has_next
        compared += len(values.rows)
    if username != "dept-rs" and filters in (FILTERS[0], FILTERS[1]):
        assert compared == 4  # gd's four new cases, in every scope but the department's: a page of 3, then 1


def test_a_case_without_clerk_reads_null_in_both(gd):
    case = f.make_case(enterprise=gd.enterprise)
    case.clerk_id = None
    user = f.user("staff-ll")
    filters = QueueFilters(q=case.case_no)
    (row,) = case_values(user, filters).rows
    (pair,) = case_rows(user, filters).rows
    assert row.clerk_username is None
    assert serializers.case_from_values(row, row.warn_level, show_query_code=False) == serializers.case(
        *pair, show_query_code=False
    )
