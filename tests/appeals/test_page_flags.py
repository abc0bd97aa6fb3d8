"""The appeal pages show what the Python flags say, for every role and status: 登记诉求 and the route behind it, the
supervisor's 交办 and 12345 import, the 服务台账 link, the register form's desk fields, and the reply date promised
to the enterprise while a reply is still owed. A role shown a link can follow it; one not shown gets 403."""

from __future__ import annotations

import re

import pytest

from stations.appeals import services
from stations.appeals.models import Category, Nature, SourceChannel
from stations.domain.appeal_flow import AppealStatus, Urgency, awaits_reply
from tests.factories import Client

# The demo account standing for each role (the enterprise is the test's own client, ``gd``).
ACCOUNTS = {
    "admin": "admin",
    "central": "central",
    "staff": "staff-ll",
    "clerk": "clerk-ll",
    "department": "dept-rs",
    "commissioner": "comm-ll",
    "person": "person-demo",
}
# role -> (登记诉求 on the queue, 交办 and the 12345 import, 服务台账)
QUEUE_LINKS = {
    "admin": (True, True, False),
    "central": (False, False, False),
    "staff": (True, False, True),
    "clerk": (True, False, True),
    "department": (False, False, False),
    "commissioner": (True, False, True),
    "person": (False, False, False),
}
LINKS = ('href="/appeals/new"', 'href="/appeals/import"', 'href="/service-log/"')
TARGETS = ("/appeals/new", "/appeals/import", "/service-log/")


@pytest.mark.parametrize("role", list(QUEUE_LINKS))
def test_queue_links_by_role_and_where_they_lead(login_as, role):
    client = login_as(ACCOUNTS[role])
    page = client.get("/appeals/").get_data(as_text=True)
    for link, target, shown in zip(LINKS, TARGETS, QUEUE_LINKS[role], strict=True):
        assert (link in page) is shown, (role, link)
        assert client.get(target).status_code == (200 if shown else 403), (role, target)


def test_the_enterprise_files_its_own_from_its_list_and_keeps_no_log(login_as, gd: Client):
    ent = login_as(gd.username)
    page = ent.get("/appeals/").get_data(as_text=True)
    assert 'href="/appeals/new"' in page and "提出诉求" in page
    assert 'href="/service-log/"' not in page and 'href="/appeals/import"' not in page
    assert ent.get("/service-log/").status_code == 403
    assert ent.get("/appeals/import").status_code == 403


def test_the_assignment_queue_heading_is_the_supervisors(login_as):
    admin, staff = login_as("admin"), login_as("staff-ll")
    assert "待交办" in admin.get("/appeals/?status=REGISTERED").get_data(as_text=True)
    assert "待交办" not in admin.get("/appeals/").get_data(as_text=True)  # another filter: no heading
    assert "待交办" not in staff.get("/appeals/?status=REGISTERED").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "staff", "clerk", "commissioner"])
def test_the_desk_registers_for_an_enterprise_it_names(login_as, role):
    page = login_as(ACCOUNTS[role]).get("/appeals/new").get_data(as_text=True)
    assert "<h1>登记诉求</h1>" in page
    assert 'name="source_channel"' in page and 'name="enterprise_id"' in page


def test_the_enterprise_files_for_itself_without_desk_fields(login_as, gd: Client):
    page = login_as(gd.username).get("/appeals/new").get_data(as_text=True)
    assert "<h1>提出诉求</h1>" in page
    assert 'name="source_channel"' not in page and 'name="enterprise_id"' not in page


def _appeal_of(owner: Client, status: AppealStatus):
    data = services.RegisterInput(
        source_channel=SourceChannel.PORTAL,
        category=Category.POLICY_FULFILMENT,
        nature=Nature.HELP,
        urgency=Urgency.NORMAL,
        description=f"标志测试:{status.value}",
        enterprise=owner.enterprise,
    )
    appeal = services.register(data, owner.account, notify=False)
    appeal.status = status  # straight to the status under test: the page reads it, not the path to it
    return appeal


@pytest.mark.parametrize("status", list(AppealStatus))
def test_the_plain_page_promises_a_date_while_the_reply_is_owed(login_as, gd: Client, status):
    appeal = _appeal_of(gd, status)
    page = login_as(gd.username).get(f"/appeals/{appeal.appeal_no}").get_data(as_text=True)
    promise = f"我们承诺在 {appeal.due_on.isoformat()} 前给您答复。"
    assert (promise in page) is awaits_reply(status)


def test_the_enterprise_list_promises_a_date_on_the_owed_ones_only(login_as, gd: Client):
    appeals = {status: _appeal_of(gd, status) for status in AppealStatus}
    page = login_as(gd.username).get("/appeals/?status=ALL").get_data(as_text=True)
    items = {no: item for item in re.findall(r"<li>(.*?)</li>", page, re.S) for no in re.findall(r"SQ\d{12}", item)}
    for status, appeal in appeals.items():
        promised = f"预计 {appeal.due_on.isoformat()} 前答复" in items[appeal.appeal_no]
        assert promised is awaits_reply(status), status
