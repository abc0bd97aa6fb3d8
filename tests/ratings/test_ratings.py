"""好差评: one immutable rating per delivered case; a 差评 opens a rectification with working-day deadlines and
red / yellow / green tags; the station works it; the enterprise sees the answer and reacts; averages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from stations.domain import ratings as rules
from stations.domain.ratings import RectificationEvent, RectificationStatus
from stations.extensions import db
from stations.notifications.models import Notification, NotificationKind
from stations.ratings import queries, services
from stations.ratings.models import Rating, Rectification
from tests import factories as f
from tests.helpers.cases import token, utc
from tests.helpers.ratings import bad_rating, delivered_case
from tests.helpers.suite import htmx_headers

D = date.fromisoformat


def rate(client, case, level="4", headers=None, **extra):
    data = {"csrf_token": token(client), "level": level, **extra}
    return client.post(f"/ratings/{case.case_no}", data=data, headers=headers or {})


def step(client, rectification, event: str, headers=None, **fields):
    data = {"csrf_token": token(client), **fields}
    return client.post(f"/rectifications/{rectification.id}/events/{event}", data=data, headers=headers or {})


def test_the_case_page_invites_the_enterprise_once_delivered(login_as, gd):
    case = delivered_case(enterprise=gd.enterprise)
    page = login_as(gd.username).get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert 'id="rating-panel"' in page and "提交评价" in page and "非常不满意" in page
    staff_page = login_as("staff-ll").get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert 'id="rating-panel"' not in staff_page
    open_case = f.make_case(enterprise=gd.enterprise)
    assert 'id="rating-panel"' not in login_as(gd.username).get(f"/cases/{open_case.case_no}").get_data(as_text=True)


def test_rating_once_and_immutable(login_as, gd):
    case = delivered_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    response = rate(client, case, "4", reasons=["SLOW"], comment="总体不错")
    assert response.status_code == 303 and response.headers["Location"].startswith(f"/cases/{case.case_no}")
    rating = db.session.scalar(select(Rating).where(Rating.case_id == case.id))
    assert (rating.level, rating.reason_codes, rating.comment) == (4, ["SLOW"], "总体不错")
    assert rating.station_id == case.station_id and rating.clerk_id == case.clerk_id
    assert rating.staff_id == f.user("staff-ll").id and rating.rectification is None
    again = rate(client, case, "1", headers=htmx_headers("rating-panel"))
    assert again.status_code == 409
    body = again.get_data(as_text=True)
    assert "不能修改" in body and "<html" not in body
    db.session.expire_all()
    assert db.session.scalar(select(Rating.level).where(Rating.case_id == case.id)) == 4
    assert db.session.scalar(select(Rectification.id)) is None
    with pytest.raises(services.RatingError) as error:
        services.rate_case(case, gd.account, level=1)
    assert error.value.status == 409
    rules_for_ratings = [r for r in client.application.url_map.iter_rules() if r.rule.startswith("/ratings/")]
    assert all(not ({"PUT", "PATCH", "DELETE"} & set(r.methods)) for r in rules_for_ratings)  # no way to edit


@pytest.mark.parametrize(
    ("form", "message"),
    [({"level": ""}, "请选择满意程度。"), ({"level": "9"}, ""), ({"level": "3", "reasons": "RUDE"}, "")],
)
def test_invalid_rating_forms_are_422(login_as, form, message, gd):
    case = delivered_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    response = client.post(
        f"/ratings/{case.case_no}", data={"csrf_token": token(client), **form}, headers=htmx_headers("rating-panel")
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Rating.id)) is None


def test_only_a_delivered_case_of_ones_own_can_be_rated(login_as, gd, qn):
    open_case = f.make_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    response = rate(client, open_case)
    assert response.status_code == 422 and "办件送达后才能评价" in response.get_data(as_text=True)
    delivered = delivered_case(enterprise=gd.enterprise)
    other = login_as(qn.username)
    assert rate(other, delivered).status_code == 404
    assert other.get(f"/ratings/{delivered.case_no}").status_code == 404
    assert rate(login_as("staff-ll"), delivered).status_code == 403
    assert db.session.scalar(select(Rating.id)) is None


def test_a_bad_rating_opens_a_rectification_with_working_day_deadlines(gd):
    # Rated on Tue 2025-09-30 10:00: call-back by Thu 10-09 (after National Day), answer by Tue 10-14
    # (Sat 10-11 is a make-up working day), yellow from 10-11.
    rating = bad_rating(owner=gd, now=utc("2025-09-30 10:00"))
    rectification = rating.rectification
    assert rectification.callback_due_on == D("2025-10-09")
    assert rectification.due_on == D("2025-10-14")
    assert rectification.warn_on == D("2025-10-11")
    # 谁办理、谁负责: assigned at once to the staff member who handled the case.
    assert rectification.status is RectificationStatus.ASSIGNED
    assert rectification.responsible_id == f.user("staff-ll").id
    assert [e.event for e in rectification.events] == ["open", "assign"]
    staff_told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.RECTIFICATION_OPENED)
    ).all()
    assert {n.user_id for n in staff_told} == {f.user("staff-ll").id}
    assert staff_told[0].link == f"/rectifications/{rectification.id}"


def test_deadlines_across_a_weekend(gd):
    friday_evening = bad_rating(
        owner=gd, now=utc("2026-03-06 17:30")
    ).rectification  # after closing: counts from Monday
    assert (friday_evening.callback_due_on, friday_evening.due_on) == (D("2026-03-10"), D("2026-03-16"))


@pytest.mark.parametrize("level", [3, 4, 5])
def test_good_ratings_open_nothing(level, gd):
    assert bad_rating(owner=gd, level=level).rectification is None


def test_the_tag_in_sql_agrees_with_the_rule(gd):
    rectification = bad_rating(owner=gd, now=utc("2026-03-06 10:00")).rectification  # call-back 03-09, answer 03-13
    for status in (RectificationStatus.ASSIGNED, RectificationStatus.RECTIFYING, RectificationStatus.CLOSED):
        rectification.status = status
        db.session.flush()
        for offset in range(0, 12):
            today = D("2026-03-05") + timedelta(days=offset)
            sql = db.session.scalar(select(queries.tag_expr(today)).where(Rectification.id == rectification.id))
            rule = rules.rectification_tag(
                status,
                today=today,
                callback_due_on=rectification.callback_due_on,
                due_on=rectification.due_on,
                warn_on=rectification.warn_on,
            )
            assert sql == rule.value, (status, today)


def test_the_station_works_the_rectification_and_the_enterprise_sees_the_answer(login_as, gd):
    rating = bad_rating(owner=gd, level=1)
    rectification = rating.rectification
    case = rectification.case
    staff = login_as("staff-ll")
    listing = staff.get("/rectifications/").get_data(as_text=True)
    assert case.case_no in listing and "badge-GREEN" in listing and rectification.due_on.isoformat() in listing
    detail = staff.get(f"/rectifications/{rectification.id}").get_data(as_text=True)
    assert "非常不满意" in detail and "等太久" in detail and "回访核实" in detail

    refused = step(staff, rectification, "callback", headers=htmx_headers("rectification-panel"))
    assert refused.status_code == 422 and "请填写回访核实的情况" in refused.get_data(as_text=True)
    assert step(staff, rectification, "callback", findings="已电话回访,情况属实").status_code == 303
    assert step(staff, rectification, "start_fix", disposition="FIX_NOW").status_code == 303
    assert step(staff, rectification, "report_done", measures="增设午间窗口").status_code == 422  # no answer yet
    done = step(
        staff,
        rectification,
        "report_done",
        measures="增设午间窗口",
        feedback="已增设午间窗口,感谢您的意见。",
        headers=htmx_headers("rectification-panel"),
    )
    assert done.status_code == 200 and "已反馈" in done.get_data(as_text=True)
    db.session.expire_all()
    assert rectification.status is RectificationStatus.FEEDBACK_GIVEN
    assert rectification.disposition is rules.Disposition.FIX_NOW
    answered = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.RATING_ANSWERED)
    ).all()
    assert [n.user_id for n in answered] == [gd.account.id]

    enterprise = login_as(gd.username)
    page = enterprise.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "已增设午间窗口,感谢您的意见。" in page and "增设午间窗口" in page and "您对整改结果是否满意" in page
    unhappy = enterprise.post(
        f"/ratings/{case.case_no}/reaction",
        data={"csrf_token": token(enterprise), "reaction": "UNSATISFIED"},
        headers=htmx_headers("rating-panel"),
    )
    assert unhappy.status_code == 200 and "整改中" in unhappy.get_data(as_text=True)
    db.session.expire_all()
    assert rectification.status is RectificationStatus.RECTIFYING and rectification.reopen_count == 1
    step(staff, rectification, "report_done", measures="再次培训", feedback="已再次整改。")
    happy = enterprise.post(
        f"/ratings/{case.case_no}/reaction", data={"csrf_token": token(enterprise), "reaction": "SATISFIED"}
    )
    assert happy.status_code == 303
    db.session.expire_all()
    assert rectification.status is RectificationStatus.CLOSED and rectification.closed_at is not None
    assert rectification.reaction is rules.Reaction.SATISFIED
    assert "badge-DONE" in staff.get("/rectifications/").get_data(as_text=True)


def test_a_second_unsatisfied_escalates(gd):
    rectification = bad_rating(owner=gd).rectification
    staff, enterprise = f.user("staff-ll"), gd.account
    services.apply_step(rectification, RectificationEvent.CALLBACK, staff, services.StepInput(findings="属实"))
    services.apply_step(rectification, RectificationEvent.EXPLAIN, staff, services.StepInput(feedback="依法说明"))
    services.apply_step(rectification, RectificationEvent.REACT_UNSATISFIED, enterprise)
    assert rectification.status is RectificationStatus.RECTIFYING
    services.apply_step(rectification, RectificationEvent.REPORT_DONE, staff, services.StepInput("", "整改", "已整改"))
    services.apply_step(rectification, RectificationEvent.REACT_UNSATISFIED, enterprise)
    assert rectification.status is RectificationStatus.ESCALATED
    services.apply_step(rectification, RectificationEvent.CLOSE, f.user("admin"))
    assert rectification.status is RectificationStatus.CLOSED


def test_unsatisfied_restarts_the_answer_deadline(gd):
    rectification = bad_rating(owner=gd, now=utc("2026-03-02 10:00")).rectification
    staff = f.user("staff-ll")
    services.apply_step(
        rectification, RectificationEvent.CALLBACK, staff, services.StepInput(findings="x"), now=utc("2026-03-02 11:00")
    )
    services.apply_step(
        rectification, RectificationEvent.EXPLAIN, staff, services.StepInput(feedback="y"), now=utc("2026-03-03 11:00")
    )
    services.apply_step(rectification, RectificationEvent.REACT_UNSATISFIED, gd.account, now=utc("2026-03-06 16:00"))
    assert (rectification.due_on, rectification.warn_on) == (D("2026-03-13"), D("2026-03-11"))


def test_silence_closes_the_answered_rectification_after_3_working_days(gd):
    rectification = bad_rating(owner=gd).rectification
    staff = f.user("staff-ll")
    services.apply_step(rectification, RectificationEvent.CALLBACK, staff, services.StepInput(findings="x"))
    services.apply_step(
        rectification, RectificationEvent.EXPLAIN, staff, services.StepInput(feedback="y"), now=utc("2026-03-06 10:00")
    )
    assert services.close_unanswered(now=utc("2026-03-10 10:00")) == 0  # Mon, Tue: 2 working days
    assert services.close_unanswered(now=utc("2026-03-11 10:00")) == 1
    assert rectification.status is RectificationStatus.CLOSED
    assert rectification.reaction is rules.Reaction.NO_RESPONSE


def test_rectifications_are_scoped_to_the_station(login_as, gd):
    rectification = bad_rating(owner=gd).rectification
    url = f"/rectifications/{rectification.id}"
    assert login_as("staff-qh").get(url).status_code == 404
    assert rectification.case.case_no not in login_as("staff-qh").get("/rectifications/").get_data(as_text=True)
    assert login_as("central").get(url).status_code == 200
    central = login_as("central")
    assert step(central, rectification, "callback", findings="x").status_code == 403  # read-only
    assert step(login_as("staff-qh"), rectification, "callback", findings="x").status_code == 404
    for username in ("clerk-ll", gd.username):
        assert login_as(username).get("/rectifications/").status_code == 403
        assert login_as(username).get(url).status_code == 403
    assert rectification.status is RectificationStatus.ASSIGNED


def test_the_enterprise_lists_only_its_ratings(login_as, qn, gd):
    bad_rating(owner=gd)
    other = delivered_case(enterprise=qn.enterprise)
    services.rate_case(other, qn.account, level=5)
    mine = login_as(gd.username).get("/ratings/").get_data(as_text=True)
    assert "不满意" in mine and other.case_no not in mine
    assert other.case_no in login_as(qn.username).get("/ratings/").get_data(as_text=True)


def test_averages_per_clerk_and_station(count_queries, qn, gd):
    for level in (5, 4, 2):
        bad_rating(owner=gd, level=level)
    qh_case = delivered_case(by="staff-qh", station_code="QH", enterprise=qn.enterprise)
    services.rate_case(qh_case, qn.account, level=3)
    clerk_ll, clerk_qh, staff = f.user("clerk-ll"), f.user("clerk-qh"), f.user("staff-ll")
    ll, qh, zx = f.station("LL"), f.station("QH"), f.station("ZX")
    with count_queries() as counter:
        by_clerk = queries.average_for_clerks([clerk_ll.id, clerk_qh.id, staff.id])
        by_station = queries.average_for_stations([ll.id, qh.id, zx.id])
    assert counter.count == 2
    assert by_clerk == {clerk_ll.id: 3.67, clerk_qh.id: 3.0}  # nobody without ratings
    assert by_station == {ll.id: 3.67, qh.id: 3.0}
    assert queries.average_for_clerks([]) == {}


def test_invalidated_ratings_do_not_count(gd):
    rating = bad_rating(owner=gd, level=1)
    bad_rating(owner=gd, level=5)
    rating.is_invalidated = True
    db.session.flush()
    assert queries.average_for_stations([rating.station_id]) == {rating.station_id: 5.0}


def test_the_list_costs_the_same_whatever_the_number(login_as, count_queries, gd):
    bad_rating(owner=gd)
    client = login_as("staff-ll")
    with count_queries() as one:
        client.get("/rectifications/")
    for _ in range(5):
        bad_rating(owner=gd)
    db.session.flush()  # the staff notifications, before counting
    with count_queries() as six:
        body = client.get("/rectifications/").get_data(as_text=True)
    assert len(re.findall(r'id="rectification-\d+"', body)) == 6
    assert one.count == six.count
