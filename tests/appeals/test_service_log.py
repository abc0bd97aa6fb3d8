"""The commissioners' service log pages: the day view, adding an entry (bad input a 422), summary, xlsx export."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from stations.timeutil import business_today
from tests import factories as f
from tests.helpers.appeals import token


def _add(client, **fields):
    data = {
        "csrf_token": token(client, "/service-log/"),
        "kind": "VISIT",
        "day": business_today().isoformat(),
        **fields,
    }
    return client.post("/service-log/", data=data)


def test_commissioner_logs_a_visit_and_sees_it_in_the_month(login_as):
    comm = login_as("comm-ll")
    enterprise = f.make_enterprise(station_code="LL")
    assert _add(comm, enterprise_id=enterprise.id, note="(测试)入企走访").status_code == 303
    assert _add(comm, enterprise_id=enterprise.id, kind="PROBLEM", solved="1").status_code == 303
    day = comm.get("/service-log/").get_data(as_text=True)
    assert "(测试)入企走访" in day
    summary = comm.get("/service-log/summary").get_data(as_text=True)
    assert 'id="log-summary"' in summary
    export = comm.get(f"/service-log/export.xlsx?month={business_today():%Y-%m}")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][2] == enterprise.name
    assert comm.get("/service-log/export.pdf").status_code == 404


def test_bad_entries_are_a_clear_422(login_as):
    comm = login_as("comm-ll")
    enterprise = f.make_enterprise(station_code="LL")
    response = _add(comm, enterprise_id=enterprise.id, kind="PARTY")
    assert response.status_code == 422 and "未知的记录类型" in response.get_data(as_text=True)
    response = _add(comm, enterprise_id="")
    assert response.status_code == 422 and "找不到该企业" in response.get_data(as_text=True)
    response = _add(comm, enterprise_id=enterprise.id, case_no="NO-SUCH-CASE")
    assert response.status_code == 422 and "找不到该办件" in response.get_data(as_text=True)
