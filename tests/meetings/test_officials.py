"""Structured officials (issue 14): the migration's data step, the core resolving an official to texts, the API's
``official_id`` (and the old text fields), the administrator's page, and the demo data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import column as sa_column
from sqlalchemy import inspect, select, text
from sqlalchemy import table as sa_table

from stations.domain.meeting_flow import MeetingEvent, MeetingKind
from stations.extensions import db
from stations.meetings import officials, services, slots
from stations.meetings.errors import MeetingError
from stations.meetings.models import AvailabilityPattern, Meeting, MeetingSlot, Official, OfficialKind
from stations.meetings.services import EventInput, RequestInput
from stations.timeutil import business_today, utcnow
from tests import factories as f
from tests.helpers.meetings import department, requested
from tests.helpers.suite import csrf_token_from

BEFORE = "7c41d2a9e8b3"  # main's head before the officials migration


def _official(code: str, name: str, kind: OfficialKind = OfficialKind.LEADER) -> Official:
    return officials.add_official(department(code).id, name, kind.value)


def _request(owner: f.Client | None = None, **fields) -> Meeting:
    """A meeting asked for by ``owner``'s account (a new client's when none is given)."""
    owner = owner or f.make_client()
    return services.request_meeting(
        owner.account, owner.enterprise, RequestInput(kind=MeetingKind.MEET, topic="厂房接电", **fields)
    )


# --- the migration ---------------------------------------------------------------------------------------------


def _insert(connection, table: str, values: dict) -> int:
    """A row with ``values``, every other NOT NULL column without a default filled with a dummy of its type."""
    columns = {c["name"]: c for c in inspect(connection).get_columns(table)}
    dummies = {str: "0", int: 0, bool: False, date: date(2026, 1, 1), datetime: datetime(2026, 1, 1), time: time(9)}
    row = {}
    for name, column in columns.items():
        if name == "id" or column["nullable"] or column.get("default") is not None:
            continue
        try:
            python_type = column["type"].python_type
        except NotImplementedError:  # JSON
            python_type = list
        row[name] = [] if python_type in (list, dict) else dummies.get(python_type, "0")
    row.update(values)
    typed = sa_table(table, *(sa_column(name, columns[name]["type"]) for name in row), sa_column("id"))
    return connection.execute(typed.insert().values(**row).returning(typed.c.id)).scalar()


def test_the_migration_makes_one_official_per_department_and_text_and_links_every_row():
    from flask_migrate import downgrade, upgrade

    from tests.dbutil import reset_database, test_database_url
    from tests.helpers.suite import make_test_app

    url = test_database_url("_officials")  # SQLite, or PostgreSQL when TEST_DATABASE_URL is set
    reset_database(url)
    other = make_test_app(url)
    with other.app_context():  # on the app's own engine: the suite's session is bound to the suite's database
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            station = _insert(connection, "stations", {"code": "LL"})
            parents = {
                "station_id": station,
                "enterprise_id": _insert(connection, "enterprises", {"uscc": "U1", "station_id": station}),
                "requested_by_id": _insert(connection, "users", {"username": "u", "role": "ADMIN"}),
            }
            kf = _insert(connection, "departments", {"code": "KF", "name": "开发建设部"})
            rs = _insert(connection, "departments", {"code": "RS", "name": "人社"})
            meetings = [
                _insert(connection, "meetings", {"meeting_no": n, "department_id": d, "target_leader": lead,
                                                 "target_section": section, "kind": "MEET", **parents})
                for n, d, lead, section in (
                    ("YJ1", kf, "部长", ""),
                    ("YJ2", kf, "部长", ""),  # the same pair: one official
                    ("YJ3", kf, "", "规划科"),  # a section named as such
                    ("YJ4", rs, "", ""),  # the department itself
                    ("YJ5", None, "部长", ""),  # not routed yet: no department, no official
                )
            ]  # fmt: skip
            pattern = _insert(connection, "availability_patterns", {"department_id": rs, "leader": "社保科"})
            slot = _insert(connection, "meeting_slots", {"department_id": kf, "leader": "部长", "source": "PATTERN"})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, department_id, name, kind, is_active FROM officials")).all()
            by_pair = {(r.department_id, r.name): r for r in rows}
            assert set(by_pair) == {(kf, "部长"), (kf, "规划科"), (rs, ""), (rs, "社保科")}
            assert [by_pair[p].kind for p in ((kf, "部长"), (kf, "规划科"), (rs, ""), (rs, "社保科"))] == [
                "LEADER",
                "SECTION",  # from target_section
                "DEPARTMENT",
                "SECTION",  # a name ending in 科
            ]
            assert all(r.is_active for r in rows)
            linked = dict(connection.execute(text("SELECT id, official_id FROM meetings")).all())
            assert [linked[m] for m in meetings] == [
                by_pair[(kf, "部长")].id,
                by_pair[(kf, "部长")].id,
                by_pair[(kf, "规划科")].id,
                by_pair[(rs, "")].id,
                None,
            ]
            assert (
                connection.execute(
                    text("SELECT official_id FROM availability_patterns WHERE id = :id"), {"id": pattern}
                ).scalar()
                == by_pair[(rs, "社保科")].id
            )
            assert (
                connection.execute(text("SELECT official_id FROM meeting_slots WHERE id = :id"), {"id": slot}).scalar()
                == by_pair[(kf, "部长")].id
            )
            # the text columns are kept as they were
            assert (
                connection.execute(
                    text("SELECT target_leader FROM meetings WHERE id = :id"), {"id": meetings[0]}
                ).scalar()
                == "部长"
            )
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("meetings")}
            assert "official_id" not in columns and "target_leader" in columns
        db.engine.dispose()


# --- the core --------------------------------------------------------------------------------------------------


def test_the_demo_has_officials_for_the_three_departments_with_slots():
    demo = {(o.department.code, o.name): o for o in db.session.scalars(select(Official))}
    assert {("KFJS", "开发建设部 部长"), ("SB", "人社 科长"), ("GJ", "工建审批 科长")} <= set(demo)
    assert demo[("KFJS", "规划建设科")].kind is OfficialKind.SECTION
    assert demo[("KFJS", "")].kind is OfficialKind.DEPARTMENT
    for pattern in db.session.scalars(select(AvailabilityPattern)):
        assert pattern.official_id == demo[(pattern.department.code, pattern.leader)].id
    demo_slots = list(db.session.scalars(select(MeetingSlot)))
    assert demo_slots and all(s.official_id == demo[(s.department.code, s.leader)].id for s in demo_slots)
    routed = list(db.session.scalars(select(Meeting).where(Meeting.department_id.is_not(None))))
    assert routed and all(m.official_id is not None for m in routed)
    drainage = db.session.scalar(select(Meeting).where(Meeting.target_leader == "开发建设部 部长").limit(1))
    assert drainage.official_id == demo[("KFJS", "开发建设部 部长")].id


def test_a_request_naming_an_official_takes_its_department_and_name():
    section = _official("SB", "社保科", OfficialKind.SECTION)
    meeting = _request(official_id=section.id, department_id=department("KFJS").id, target_leader="乱填")
    assert meeting.official_id == section.id
    assert meeting.department_id == department("SB").id  # the official wins over the department sent
    assert (meeting.target_leader, meeting.target_section) == ("社保科", "社保科")


def test_an_old_request_by_text_is_linked_to_the_official_of_that_name_or_kept_as_text():
    leader = _official("KFJS", "副部长")
    linked = _request(department_id=department("KFJS").id, target_leader="副部长")
    assert linked.official_id == leader.id and linked.target_leader == "副部长"
    free_text = _request(department_id=department("KFJS").id, target_leader="王主任")
    assert free_text.official_id is None and free_text.target_leader == "王主任"


def test_an_inactive_or_unknown_official_is_refused():
    gone = _official("GJ", "审批科", OfficialKind.SECTION)
    officials.set_official_active(gone, False)
    for official_id in (gone.id, 999_999):
        with pytest.raises(MeetingError) as refused:
            _request(official_id=official_id)
        assert refused.value.code == "unknown_official" and refused.value.status == 422
    meeting = requested()
    staff = f.user("staff-ll")
    services.fire(meeting, staff, MeetingEvent.CONTACT, meeting.version)
    with pytest.raises(MeetingError) as refused:
        services.fire(meeting, staff, MeetingEvent.ROUTE, meeting.version, EventInput(official_id=gone.id))
    assert refused.value.code == "unknown_official"


def test_routing_to_an_official_and_booking_its_slot():
    leader = _official("KFJS", "副部长")
    meeting = requested()
    staff = f.user("staff-ll")
    services.fire(meeting, staff, MeetingEvent.CONTACT, meeting.version)
    services.fire(meeting, staff, MeetingEvent.ROUTE, meeting.version, EventInput(official_id=leader.id))
    assert (meeting.department_id, meeting.official_id, meeting.target_leader) == (
        department("KFJS").id,
        leader.id,
        "副部长",
    )
    day = business_today() + timedelta(days=30)
    while day.weekday() > 4:
        day += timedelta(days=1)
    slot = slots.add_one_off_slot(
        department("KFJS").id, "ignored", datetime.combine(day, time(16, 30)), 30, "", official_id=leader.id
    )
    assert (slot.leader, slot.official_id) == ("副部长", leader.id)
    services.fire(meeting, staff, MeetingEvent.SCHEDULE, meeting.version, EventInput(slot_id=slot.id))
    assert meeting.official_id == leader.id and meeting.target_leader == "副部长"


def test_publishing_for_an_official_of_another_department_is_refused_and_patterns_carry_the_official():
    rs = _official("SB", "就业科", OfficialKind.SECTION)
    with pytest.raises(MeetingError) as refused:
        slots.add_pattern(department("KFJS").id, "", 1, time(9, 0), 60, "", business_today(), official_id=rs.id)
    assert refused.value.code == "unknown_official"
    pattern = slots.add_pattern(department("SB").id, "", 1, time(9, 0), 60, "", business_today(), official_id=rs.id)
    published = list(db.session.scalars(select(MeetingSlot).where(MeetingSlot.official_id == rs.id)))
    assert pattern.leader == "就业科" and published and all(s.leader == "就业科" for s in published)


def test_renaming_rewrites_patterns_and_future_slots_but_not_meetings():
    leader = _official("GJ", "副科长")
    pattern = slots.add_pattern(
        department("GJ").id, "", 2, time(11, 0), 60, "", business_today(), official_id=leader.id
    )
    meeting = _request(official_id=leader.id)
    officials.rename_official(leader, "科长助理", "LEADER")
    assert pattern.leader == "科长助理"
    future = db.session.scalars(select(MeetingSlot).where(MeetingSlot.official_id == leader.id)).all()
    assert future and all(s.leader == "科长助理" for s in future if s.starts_at > utcnow())
    db.session.refresh(meeting)
    assert meeting.target_leader == "副科长" and meeting.official_id == leader.id


@pytest.mark.parametrize(
    ("code", "name", "kind", "error"),
    [
        ("KFJS", "开发建设部 部长", "LEADER", "official_exists"),
        ("KFJS", "", "LEADER", "official_name_required"),
        ("KFJS", "某科", "DEPARTMENT", "bad_official_kind"),
        ("KFJS", "某科", "BOSS", "bad_official_kind"),
        ("KFJS", "长" * 101, "LEADER", "bad_official_name"),
        (None, "某科", "SECTION", "unknown_department"),
    ],
)
def test_bad_officials_are_refused(code, name, kind, error):
    with pytest.raises(MeetingError) as refused:
        officials.add_official(department(code).id if code else None, name, kind)
    assert refused.value.code == error


# --- the API ---------------------------------------------------------------------------------------------------


def _headers(client) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token_from(client, "/meetings/")}


def test_api_create_with_official_id(login_as, gd):
    from tests.web.test_openapi import conforms

    leader = db.session.scalar(select(Official).where(Official.name == "人社 科长"))
    client = login_as(gd.username)
    listed = client.get("/api/v1/officials").get_json()
    assert conforms(listed, {"$ref": "#/components/schemas/OfficialList"}) == []
    assert {"id": leader.id, "department": "SB", "name": "人社 科长", "kind": "LEADER"} in listed["items"]
    for value in (leader.id, str(leader.id)):  # a number, or digits for liberal clients
        made = client.post(
            "/api/v1/meetings", json={"topic": "社保补贴", "official_id": value}, headers=_headers(client)
        )
        assert made.status_code == 201, made.get_json()
        body = made.get_json()
        assert (body["official_id"], body["department"], body["target_leader"]) == (leader.id, "SB", "人社 科长")
        assert conforms(body, {"$ref": "#/components/schemas/Meeting"}) == []
    old = client.post(
        "/api/v1/meetings",
        json={"topic": "接驳", "department": "KFJS", "target_leader": "开发建设部 部长"},
        headers=_headers(client),
    )
    assert old.status_code == 201 and old.get_json()["official_id"] is not None  # the old text still links it


def test_api_refuses_an_inactive_unknown_or_malformed_official_id(login_as, gd):
    gone = _official("SB", "劳动监察科", OfficialKind.SECTION)
    officials.set_official_active(gone, False)
    client = login_as(gd.username)
    assert gone.id not in [o["id"] for o in client.get("/api/v1/officials").get_json()["items"]]
    for value, code in ((gone.id, "unknown_official"), (999_999, "unknown_official"), ("x1", "invalid_field"),
                        (True, "invalid_field"), (-3, "invalid_field")):  # fmt: skip
        answer = client.post("/api/v1/meetings", json={"topic": "问", "official_id": value}, headers=_headers(client))
        assert answer.status_code == 422, value
        assert answer.get_json()["error"]["code"] == code, value


def test_api_route_event_with_official_id(login_as):
    leader = db.session.scalar(select(Official).where(Official.name == "工建审批 科长"))
    meeting = requested()
    services.fire(meeting, f.user("staff-ll"), MeetingEvent.CONTACT, meeting.version)
    client = login_as("staff-ll")
    body = {"event": "route", "version": meeting.version, "official_id": leader.id}
    answer = client.post(f"/api/v1/meetings/{meeting.meeting_no}/events", json=body, headers=_headers(client))
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["department"], answer.get_json()["official_id"]) == ("GJ", leader.id)


# --- pages -----------------------------------------------------------------------------------------------------


def test_the_request_page_picks_an_official(login_as, gd):
    leader = db.session.scalar(select(Official).where(Official.name == "开发建设部 部长"))
    gone = _official("KFJS", "已撤销科", OfficialKind.SECTION)
    officials.set_official_active(gone, False)
    client = login_as(gd.username)
    page = client.get("/meetings/new").get_data(as_text=True)
    assert f'value="{leader.id}"' in page and "开发建设部 · 开发建设部 部长" in page and "已撤销科" not in page
    token = csrf_token_from(client, "/meetings/new")
    form = {"csrf_token": token, "kind": "MEET", "topic": "排水接驳", "official_id": str(leader.id)}
    answer = client.post("/meetings/new", data=form)
    assert answer.status_code == 303
    meeting = db.session.scalar(select(Meeting).where(Meeting.topic == "排水接驳"))
    assert (meeting.official_id, meeting.department_id) == (leader.id, leader.department_id)


def test_the_slots_page_publishes_for_an_official(login_as):
    leader = db.session.scalar(select(Official).where(Official.name == "开发建设部 部长"))
    client = login_as("dept-kf")
    assert "开发建设部 部长" in client.get("/meetings/slots").get_data(as_text=True)
    token = csrf_token_from(client, "/meetings/slots")
    form = {"csrf_token": token, "kind": "weekly", "weekday": "4", "start": "16:00", "minutes": "30",
            "official_id": str(leader.id)}  # fmt: skip
    assert client.post("/meetings/slots", data=form).status_code == 303
    pattern = db.session.scalar(select(AvailabilityPattern).where(AvailabilityPattern.start_time == time(16, 0)))
    assert (pattern.official_id, pattern.leader) == (leader.id, "开发建设部 部长")
    other = db.session.scalar(select(Official).where(Official.name == "人社 科长"))
    refused = client.post("/meetings/slots", data={**form, "official_id": str(other.id)})
    assert refused.status_code == 422 and "约见对象" in refused.get_data(as_text=True)


def test_the_admin_page_adds_renames_and_deactivates_in_place(login_as, gd):
    client = login_as("admin")
    page = client.get("/admin/officials")
    assert page.status_code == 200 and "开发建设部 部长" in page.get_data(as_text=True)
    token = csrf_token_from(client, "/admin/officials")
    htmx = {"HX-Request": "true", "HX-Target": "officials-panel"}
    kf = str(department("KFJS").id)
    added = client.post(
        "/admin/officials", data={"csrf_token": token, "department_id": kf, "name": "招商科", "kind": "SECTION"},
        headers=htmx,
    )  # fmt: skip
    assert added.status_code == 200
    assert 'id="officials-panel"' in added.get_data(as_text=True) and "<html" not in added.get_data(as_text=True)
    official = db.session.scalar(select(Official).where(Official.name == "招商科"))
    assert official.kind is OfficialKind.SECTION and official.is_active

    again = client.post(
        "/admin/officials", data={"csrf_token": token, "department_id": kf, "name": "招商科", "kind": "SECTION"},
        headers=htmx,
    )  # fmt: skip
    body = again.get_data(as_text=True)
    assert again.status_code == 422 and "该部门已有同名的领导或科室" in body and 'aria-invalid="true"' in body
    assert "<html" not in body  # in place: the panel only
    empty = client.post(
        "/admin/officials", data={"csrf_token": token, "department_id": kf, "name": " ", "kind": "LEADER"}
    )  # without htmx: the whole page, 422
    assert empty.status_code == 422 and "请填写领导或科室的名称" in empty.get_data(as_text=True)
    assert client.post("/admin/officials", data={"csrf_token": token, "department_id": "x", "kind": "LEADER",
                                                  "name": "a"}).status_code == 422  # fmt: skip

    renamed = client.post(
        f"/admin/officials/{official.id}", data={"csrf_token": token, "name": "投资促进科", "kind": "SECTION"}
    )
    assert renamed.status_code == 303
    db.session.refresh(official)
    assert official.name == "投资促进科"
    clash = client.post(
        f"/admin/officials/{official.id}",
        data={"csrf_token": token, "name": "开发建设部 部长", "kind": "LEADER"},
        headers=htmx,
    )
    assert clash.status_code == 422 and f'id="official-{official.id}-error"' in clash.get_data(as_text=True)
    db.session.refresh(official)
    assert official.name == "投资促进科"

    off = client.post(f"/admin/officials/{official.id}/active", data={"csrf_token": token, "active": "0"}, headers=htmx)
    assert off.status_code == 200 and "重新启用" in off.get_data(as_text=True)
    db.session.refresh(official)
    assert not official.is_active
    assert "投资促进科" not in login_as(gd.username).get("/meetings/new").get_data(as_text=True)
    assert (
        client.post(f"/admin/officials/{official.id}/active", data={"csrf_token": token, "active": "1"}).status_code
        == 303
    )
    db.session.refresh(official)
    assert official.is_active
    assert (
        client.post("/admin/officials/999999", data={"csrf_token": token, "name": "a", "kind": "LEADER"}).status_code
        == 404
    )


def test_only_the_administrator_maintains_officials(login_as):
    for username in ("staff-ll", "dept-kf", "central"):
        client = login_as(username)
        assert client.get("/admin/officials").status_code == 403
        token = csrf_token_from(client, "/meetings/")
        before = db.session.scalar(select(db.func.count(Official.id)))
        answer = client.post(
            "/admin/officials", data={"csrf_token": token, "department_id": "1", "name": "x", "kind": "LEADER"}
        )
        assert answer.status_code == 403
        assert db.session.scalar(select(db.func.count(Official.id))) == before


def test_scheduling_offers_the_named_officials_slots_and_none_of_a_deactivated_one(login_as):
    from stations.meetings import queries

    leader = _official("KFJS", "总工程师")
    meeting = requested()
    staff = f.user("staff-ll")
    services.fire(meeting, staff, MeetingEvent.CONTACT, meeting.version)
    services.fire(meeting, staff, MeetingEvent.ROUTE, meeting.version, EventInput(official_id=leader.id))
    department_wide = queries.slots_for(meeting, utcnow())
    assert department_wide and all(s.official_id != leader.id for s in department_wide)  # none of its own yet
    day = business_today() + timedelta(days=20)
    while day.weekday() > 4:
        day += timedelta(days=1)
    own = slots.add_one_off_slot(
        department("KFJS").id, "", datetime.combine(day, time(17, 0)), 30, "", official_id=leader.id
    )
    assert [s.id for s in queries.slots_for(meeting, utcnow())] == [own.id]
    officials.set_official_active(leader, False)
    assert own.id not in [s.id for s in queries.free_slots(meeting.department_id, utcnow())]
    with pytest.raises(MeetingError) as refused:
        services.fire(meeting, staff, MeetingEvent.SCHEDULE, meeting.version, EventInput(slot_id=own.id))
    assert refused.value.code == "slot_unknown"
