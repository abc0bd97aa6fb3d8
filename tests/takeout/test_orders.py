"""政务外卖 through its core and API v1: the lifecycle, idempotent creates, bad input, scope, figures (issue 15)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from stations.appeals.models import Appeal, SourceChannel
from stations.cases.models import Case
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.domain.takeout_flow import GuardFailed, IllegalTransition, NotPermitted, OrderEvent, OrderStatus
from stations.extensions import db
from stations.takeout import figures, queries, services
from stations.takeout.models import Order, OrderCase
from stations.timeutil import business_today
from tests import factories as f
from tests.helpers.cases import fire as fire_case
from tests.helpers.suite import csrf_token_from
from tests.helpers.takeout import ADDRESS, fire, menu_codes, on_site, placed


def _headers(client, **extra) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token_from(client, "/account/password"), **extra}


def _body(**overrides) -> dict:
    body = {
        "lines": menu_codes(2),
        "address": ADDRESS,
        "contact_name": "王经理",
        "contact_phone": "13800000001",
        "preferred_windows": ["工作日上午"],
    }
    return {**body, **overrides}


def _orders() -> int:
    return db.session.scalar(select(func.count(Order.id)))


def test_the_same_order_sent_three_times_makes_one_order(login_as, gd):
    client = login_as(gd.username)
    before = _orders()
    answers = [
        client.post("/api/v1/takeout/orders", json=_body(), headers=_headers(client, **{"Idempotency-Key": "wm-1"}))
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].get_json() == answers[1].get_json() == answers[2].get_json()
    assert _orders() == before + 1
    data = answers[0].get_json()
    assert set(data) >= {
        "order_no", "status", "station", "lines", "enterprise_uscc", "contact_due_at", "warn_level", "case_nos",
        "version",
    }  # fmt: skip
    assert data["status"] == "ORDERED" and data["station"] == "LL" and len(data["lines"]) == 2
    assert data["order_no"].startswith("WM") and data["warn_level"] in ("GREEN", "YELLOW", "RED")


def test_the_whole_lifecycle_through_the_api(login_as, gd):
    enterprise, staff = login_as(gd.username), login_as("staff-ll")
    created = enterprise.post("/api/v1/takeout/orders", json=_body(), headers=_headers(enterprise)).get_json()
    url = f"/api/v1/takeout/orders/{created['order_no']}/events"

    def post(client, **body):
        return client.post(url, json=body, headers=_headers(client))

    version = created["version"]
    answer = post(staff, event="contact", version=version, agreed_visit_on=business_today().isoformat())
    assert answer.status_code == 200 and answer.get_json()["status"] == "CONTACTED", answer.get_json()
    answer = post(staff, event="dispatch", version=answer.get_json()["version"], team=[f.user("staff-ll").id])
    assert answer.get_json()["status"] == "DISPATCHED"
    answer = post(staff, event="check_in", version=answer.get_json()["version"])
    assert answer.get_json()["status"] == "ON_SITE"
    order = db.session.scalar(select(Order).where(Order.order_no == created["order_no"]))
    case = f.make_case(instant=True, enterprise=gd.enterprise)  # taken in on site for the client
    services.link_case(order, case)
    services.link_case(order, case)  # a retried link changes nothing
    services.raise_problem(order, f.user("staff-ll"), "厂区周边道路照明不足")
    db.session.commit()
    answer = post(staff, event="finish", version=answer.get_json()["version"], outcome="受理1件,登记问题1个")
    assert answer.get_json()["status"] == "IN_BACKOFFICE" and answer.get_json()["case_nos"] == [case.case_no]
    refused = post(staff, event="deliver", version=answer.get_json()["version"])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "cases_open"
    for event in (CaseEvent.ACCEPT, CaseEvent.DECIDE_APPROVE, CaseEvent.ISSUE, CaseEvent.DELIVER):
        fire_case(case, event)
    db.session.commit()
    assert services.deliver_settled() == 1
    db.session.commit()
    version = staff.get(f"/api/v1/takeout/orders/{created['order_no']}").get_json()["version"]
    rated = post(enterprise, event="evaluate", version=version, level=5, note="上门很及时")
    assert rated.status_code == 200 and rated.get_json()["status"] == "COMPLETED"
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.rating_level == 5 and [e.event for e in queries.timeline(order)] == [
        "order", "contact", "dispatch", "check_in", "finish", "deliver", "evaluate",
    ]  # fmt: skip
    appeal = db.session.scalar(select(Appeal).where(Appeal.appeal_no.in_(queries.appeal_nos(order))))
    assert appeal.source_channel is SourceChannel.TAKEOUT and appeal.enterprise_id == order.enterprise_id


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"address": "西安市雁塔区科技路1号"}, "address_outside"),
        ({"address": ""}, "address_required"),
        ({"lines": []}, "no_line"),
        ({"lines": ["NOPE"]}, "unknown_line"),
        ({"contact_phone": "12345"}, "phone_invalid"),
        ({"contact_name": ""}, "contact_required"),
    ],
)
def test_bad_orders_are_refused_with_a_clear_message(login_as, overrides, code, gd):
    client = login_as(gd.username)
    before = _orders()
    answer = client.post("/api/v1/takeout/orders", json=_body(**overrides), headers=_headers(client))
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code
    assert answer.get_json()["error"]["message"]
    assert _orders() == before


def test_a_custom_order_needs_no_menu_line(login_as, gd):
    client = login_as(gd.username)
    body = _body(lines=[], custom_request="想了解厂房扩建需要办理哪些手续")
    answer = client.post("/api/v1/takeout/orders", json=body, headers=_headers(client))
    assert answer.status_code == 201 and answer.get_json()["custom_request"]


def test_events_out_of_order_stale_versions_and_bad_bodies(login_as):
    order = placed()
    staff = login_as("staff-ll")
    url = f"/api/v1/takeout/orders/{order.order_no}/events"
    db.session.commit()
    for body, status, code in (
        ({"event": "check_in", "version": order.version}, 422, "illegal_transition"),
        ({"event": "finish", "version": order.version, "outcome": "x"}, 422, "illegal_transition"),
        ({"event": "contact", "version": order.version + 5}, 409, "stale_version"),
        ({"event": "contact"}, 422, "version_required"),
        ({"event": "fly", "version": order.version}, 422, "unknown_event"),
        ({"event": "decline", "version": order.version, "reason": "超出范围"}, 422, "alternative_required"),
        ({"event": "contact", "version": order.version, "agreed_visit_on": "12/08"}, 422, "bad_date"),
        ({"event": "contact", "version": order.version, "x": 1}, 422, "unknown_field"),
    ):
        answer = staff.post(url, json=body, headers=_headers(staff))
        assert answer.status_code == status, (body, answer.get_json())
        assert answer.get_json()["error"]["code"] == code
    assert staff.post(url, data="not json", headers=_headers(staff)).status_code == 400
    db.session.expire_all()
    assert db.session.get(Order, order.id).status is OrderStatus.ORDERED


def test_who_sees_and_who_acts(login_as, gd, qn):
    order = placed(gd)
    db.session.commit()
    path = f"/api/v1/takeout/orders/{order.order_no}"
    assert login_as(gd.username).get(path).status_code == 200
    assert login_as("clerk-ll").get(path).status_code == 200  # the client's dedicated clerk
    assert login_as("central").get(path).status_code == 200
    for outsider in (qn.username, "staff-qh", "clerk-qh", "dept-sc"):
        assert login_as(outsider).get(path).status_code == 404, outsider
    central = login_as("central")
    answer = central.post(f"{path}/events", json={"event": "contact", "version": 1}, headers=_headers(central))
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "not_permitted"
    listed = login_as("staff-qh").get("/api/v1/takeout/orders").get_json()["items"]
    assert order.order_no not in [item["order_no"] for item in listed]


def test_a_team_member_from_elsewhere_sees_the_order_and_only_they_check_in(gd):
    order = placed(gd)
    fire(order, OrderEvent.CONTACT)
    fire(order, OrderEvent.DISPATCH, team_ids=[f.user("clerk-ll").id])
    with pytest.raises(NotPermitted):
        fire(order, OrderEvent.CHECK_IN, by=gd.username)
    with pytest.raises(NotPermitted):
        fire(order, OrderEvent.CHECK_IN, by="staff-ll")  # staff of the station, but not on the team
    assert fire(order, OrderEvent.CHECK_IN, by="clerk-ll").status is OrderStatus.ON_SITE


def test_the_core_guards_a_decline_and_a_dispatch():
    order = placed()
    with pytest.raises(GuardFailed, match="alternative_required"):
        fire(order, OrderEvent.DECLINE, reason="超出上门范围")
    with pytest.raises(IllegalTransition):
        fire(order, OrderEvent.DISPATCH, team_ids=[f.user("staff-ll").id])
    fire(order, OrderEvent.CONTACT)
    with pytest.raises(GuardFailed, match="team_required"):
        fire(order, OrderEvent.DISPATCH)
    with pytest.raises(services.TakeoutError, match="team_invalid"):
        fire(order, OrderEvent.DISPATCH, team_ids=[f.user("staff-qh").id])  # not this station's
    declined = fire(order, OrderEvent.DECLINE, reason="需现场核验原件", alternative="APPOINTMENT")
    assert declined.status is OrderStatus.CANCELLED and declined.alternative == "APPOINTMENT"


def test_a_case_of_another_enterprise_is_not_linked():
    order = on_site()
    other = f.make_case(enterprise=f.make_enterprise())
    with pytest.raises(services.TakeoutError, match="other_enterprise"):
        services.link_case(order, other)
    assert db.session.scalar(select(func.count(OrderCase.id)).where(OrderCase.order_id == order.id)) == 0


def test_period_figures_count_what_the_visit_produced(qn):
    order = on_site()
    case = f.make_case(instant=True, enterprise=order.enterprise)
    services.link_case(order, case)
    fire(order, OrderEvent.FINISH, outcome="受理1件")
    today = business_today()
    figures_now = figures.period_figures(f.user("central"), today, today)
    assert figures_now["orders"] >= 1 and figures_now["visits"] >= 1 and figures_now["cases"] >= 1
    assert 0 <= figures_now["on_time_contact_rate"] <= 1
    assert figures_now["median_working_hours_to_contact"] is not None
    assert figures.period_figures(qn.account, today, today)["cases"] == 0  # another enterprise's scope
    ll = next(row for row in figures_now["by_station"] if row["station"] == "LL")
    assert ll["orders"] >= 1 and ll["visits"] >= 1 and 0 <= ll["on_time_contact_rate"] <= 1
    assert db.session.get(Case, case.id).status is CaseStatus.RECEIVED


def test_the_menu_holds_560_lines_and_is_searched_by_pinyin(login_as, gd):
    client = login_as(gd.username)
    items = client.get("/api/v1/takeout/menu?q=shbzk").get_json()["items"]  # 社会保障卡 by its initials
    assert any("社会保障卡" in item["title"] for item in items)
    assert client.get("/api/v1/takeout/menu?q=人才政策").get_json()["items"][0]["kind"] == "POLICY"
    from stations.takeout.models import MenuLine

    assert db.session.scalar(select(func.count(MenuLine.id))) >= 560


@pytest.mark.slow
def test_the_demo_year_resembles_the_report():
    """The suite's database has no demo cases; this builds them and the year of orders as `make run` does."""
    from stations.demo.cases import seed_demo_cases
    from stations.demo.takeout import seed_takeout_orders

    seed_demo_cases()
    assert seed_takeout_orders() > 1150
    year_ago = date(business_today().year - 1, business_today().month, 1)
    counts = figures.period_figures(f.user("central"), year_ago, business_today())
    assert counts["visits"] >= 1150 and counts["problems_solved"] >= 170 and counts["cases"] >= 120


def test_the_job_delivers_settled_orders_and_closes_unrated_ones():
    from datetime import timedelta

    from stations.takeout import jobs

    order = on_site()
    fire(order, OrderEvent.FINISH, outcome="政策讲解")  # no case taken in: nothing to wait for
    assert "delivered 1" in jobs.settle_job()
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status is OrderStatus.DELIVERED
    assert jobs.auto_close() == 0  # the enterprise still has time to rate
    assert jobs.auto_close(now=order.delivered_at + timedelta(days=jobs.AUTO_CLOSE_DAYS, hours=1)) == 1
    assert order.status is OrderStatus.COMPLETED and order.rating_level is None
    assert jobs.settle_job() == "delivered 0, closed 0"  # a rerun finds nothing more


def test_the_board_shows_orders_by_state(login_as):
    placed()
    db.session.commit()
    board = login_as("central").get("/dashboard").get_data(as_text=True)
    assert 'id="takeout-figures"' in board and "已点单 " in board and "/takeout/?status=ORDERED" in board
