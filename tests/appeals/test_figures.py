"""Appeal period figures and commissioner activity: definitions, the board, /api/v1/metrics/period, flat queries."""

from __future__ import annotations

from datetime import timedelta

from stations.appeals import figures
from stations.appeals.log_services import LogInput, add_entry
from stations.appeals.models import Category, Nature, SourceChannel
from stations.appeals.services import EventInput, RegisterInput, apply_event, register
from stations.domain.appeal_flow import Actor, AppealEvent, Feedback, Urgency
from stations.timeutil import business_today
from tests import factories as f


def _appeal(category=Category.GOV_SERVICE, channel=SourceChannel.HOTLINE_12345):
    data = RegisterInput(
        source_channel=channel,
        category=category,
        nature=Nature.HELP,
        urgency=Urgency.NORMAL,
        description="测试",
        enterprise_name="(测试)企业",
    )
    return register(data, f.user("staff-ll"))


def _walk(appeal, feedback: Feedback | None):
    admin, dept = f.user("admin"), f.user("dept-rs")
    steps = [
        (AppealEvent.ASSIGN, admin, Actor.SUPERVISOR, {"department_id": dept.department_id, "due_on": appeal.due_on}),
        (AppealEvent.SIGN, dept, Actor.DEPARTMENT, {}),
        (AppealEvent.FIRST_CONTACT, dept, Actor.DEPARTMENT, {}),
        (AppealEvent.REPLY, dept, Actor.DEPARTMENT, {"reply_text": "已解决", "signed_off_by": "科长"}),
    ]
    if feedback:
        steps.append((AppealEvent.CALLBACK, f.user("staff-ll"), Actor.FRONT, {"feedback": feedback}))
    for event, user, actor, extra in steps:
        apply_event(appeal, EventInput(event=event, **extra), user, actor)


def test_figures_follow_the_appeals(count_queries):
    central = f.user("central")
    today = business_today()
    first, last = today.replace(day=1), today
    before = figures.appeal_figures(central, first, last)
    a, b, c = _appeal(), _appeal(Category.SME_ARREARS, SourceChannel.VISIT), _appeal()
    _walk(a, Feedback.SATISFIED)
    _walk(b, Feedback.UNSATISFIED)
    now = figures.appeal_figures(central, first, last)
    assert now.received == before.received + 3
    assert now.concluded == before.concluded + 1
    assert (
        now.by_category["SME_ARREARS"]["received"] == before.by_category.get("SME_ARREARS", {}).get("received", 0) + 1
    )
    assert now.by_channel["VISIT"] >= 1
    assert now.satisfaction_rate is not None and now.on_time_reply_rate is not None
    assert c.status.value == "REGISTERED"
    with count_queries() as counter:
        figures.appeal_figures(central, today - timedelta(days=365), last)
        figures.commissioner_activity(central, today - timedelta(days=365), last)
    assert counter.count <= 3


def test_commissioner_activity_counts_the_log(app):
    comm = f.user("comm-ll")
    enterprise = f.make_enterprise(station_code="LL")
    today = business_today()
    for kind, solved in [("VISIT", False), ("CALL", False), ("PROBLEM", True), ("AGENCY", False)]:
        add_entry(comm, LogInput(kind=kind, enterprise_id=enterprise.id, day=today, solved=solved))
    rows = {r.username: r for r in figures.commissioner_activity(f.user("central"), today, today)}
    assert (rows["comm-ll"].visits, rows["comm-ll"].calls, rows["comm-ll"].problems) == (1, 1, 1)
    assert rows["comm-ll"].solved == 1 and rows["comm-ll"].agency == 1
    assert figures.commissioner_activity(f.user("clerk-ll"), today, today) == []  # only their own entries


def test_period_api_and_board_carry_the_appeals(login_as):
    central = login_as("central")
    _walk(_appeal(), Feedback.BASIC)
    body = central.get("/api/v1/metrics/period").get_json()
    section = body["appeals"]
    assert set(section) >= {"received", "concluded", "on_time_reply_rate", "response_rate", "satisfaction_rate"}
    assert section["received"] >= 1 and "by_category" in section and "by_channel" in section
    assert isinstance(body["commissioners"], list)
    page = central.get("/dashboard").get_data(as_text=True)
    assert 'id="appeal-figures"' in page


def test_the_figures_page_shows_appeals_and_commissioner_activity(login_as):
    comm = f.user("comm-ll")
    add_entry(comm, LogInput(kind="VISIT", enterprise_id=f.make_enterprise(station_code="LL").id, day=business_today()))
    page = login_as("central").get("/dashboard/figures?period=month").get_data(as_text=True)
    assert 'id="appeal-period"' in page and 'id="commissioner-activity"' in page and comm.display_name in page
