"""The dispatch-meeting form offers a new time point for the open procedures only (project_flow.is_open, read by
the page as ``row.open``), and recording the meeting applies the same rule: a date sent for a finished procedure is
ignored, so the form and the write cannot disagree."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stations.domain.project_flow import ProcedureStatus, is_open
from stations.timeutil import business_today
from tests import factories as f
from tests.helpers.suite import csrf_token_from

EVERY_STATUS = tuple((f"手续{status.value}", "KFJS", status.value) for status in ProcedureStatus)


@pytest.mark.parametrize("username", ["admin", "comm-ll"])
def test_the_meeting_form_offers_the_open_procedures_and_the_write_keeps_the_finished(login_as, username):
    project = f.make_project("TZFLAG", procedures=EVERY_STATUS)
    client = login_as(username)
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    for procedure in project.procedures:
        assert (f'name="planned_{procedure.id}"' in page) is is_open(procedure.status), procedure.status

    before = {p.id: p.planned_on for p in project.procedures}
    new_date = business_today() + timedelta(days=30)
    meeting = {
        "csrf_token": csrf_token_from(client, f"/projects/{project.code}"),
        "held_on": business_today().isoformat(),
        "decisions": "调整时间节点",
        **{f"planned_{p.id}": new_date.isoformat() for p in project.procedures},  # finished ones too, by hand
    }
    assert client.post(f"/projects/{project.code}/meetings", data=meeting).status_code == 303
    for procedure in project.procedures:
        expected = new_date if is_open(procedure.status) else before[procedure.id]
        assert procedure.planned_on == expected, procedure.status


def test_who_may_not_hold_a_meeting_sees_no_form(login_as):
    project = f.make_project("TZFLAG2", procedures=EVERY_STATUS)
    page = login_as("central").get(f"/projects/{project.code}").get_data(as_text=True)  # closes out only
    assert "planned_" not in page
