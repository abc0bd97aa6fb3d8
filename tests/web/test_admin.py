"""Administrator pages: overview, accounts, station scopes, the working-day calendar."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from stations.auth.models import Role
from stations.calendar.models import WorkCalendarDay
from stations.catalog.models import ServiceItem
from stations.enterprises.models import Enterprise
from stations.extensions import db
from stations.sites.models import ScopeMode, Station, StationItem
from stations.timeutil import business_today
from tests.accounts import STRONG_PASSWORD, audit_rows, get_user, logged_in, login, make_user
from tests.factories import make_enterprise
from tests.helpers.suite import csrf_token_from, htmx_headers


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def token(client, url: str = "/admin/") -> str:
    return csrf_token_from(client, url)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- overview -----------------------------------------------------------------------------------------


def test_overview_counts(admin):
    body = text(admin.get("/admin/"))
    items = db.session.scalar(select(func.count(ServiceItem.id)).where(ServiceItem.is_active.is_(True)))
    assert f"<dd>{items}</dd>" in body
    assert "<dd>7</dd>" in body  # the centre and six stations
    assert "已载入 2004–2026 年" in body


def test_overview_warns_when_next_years_calendar_is_missing(admin):
    next_year = business_today().year + 1
    db.session.execute(delete(WorkCalendarDay).where(WorkCalendarDay.day >= date(next_year, 1, 1)))
    db.session.commit()
    body = text(admin.get("/admin/"))
    assert f"尚未载入明年（{next_year} 年）" in body
    assert "暂按周一至周五计算" in body


def test_no_warning_once_next_year_is_in_the_table(admin, login_as):
    next_year = business_today().year + 1
    day = date(next_year, 1, 1)
    existing = set(db.session.scalars(select(WorkCalendarDay.day).where(WorkCalendarDay.day >= day)))
    while day.year == next_year:
        if day not in existing:
            db.session.add(WorkCalendarDay(day=day, is_workday=day.weekday() < 5, source="admin"))
        day = day.fromordinal(day.toordinal() + 1)
    db.session.commit()
    assert "尚未载入明年" not in text(admin.get("/admin/"))


# --- accounts -------------------------------------------------------------------------------------------


def test_user_list_filters_by_role_and_station(admin):
    body = text(admin.get("/admin/users?role=STAFF"))
    for name in ("staff-ll", "staff-qh", "staff-zx", "staff-hz"):
        assert f">{name}</a>" in body
    assert ">clerk-ll</a>" not in body and ">admin</a>" not in body

    body = text(admin.get("/admin/users?station=LL"))
    assert ">staff-ll</a>" in body and ">clerk-ll</a>" in body
    assert ">staff-qh</a>" not in body


def test_user_list_filter_answers_htmx_with_the_table_only(admin, gd):
    response = admin.get("/admin/users?role=ENTERPRISE", headers=htmx_headers("user-table"))
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="user-table">')
    assert f">{gd.username}</a>" in body and ">staff-ll</a>" not in body
    assert "HX-Target" in response.headers["Vary"]


def test_user_list_queries_do_not_grow_with_users(admin, count_queries):
    admin.get("/admin/users")
    with count_queries() as before:
        admin.get("/admin/users")
    for n in range(30):
        make_user(f"bulk-{n:02d}")
    with count_queries() as after:
        admin.get("/admin/users")
    assert after.count == before.count <= 6


def new_user(admin, **fields):
    data = {
        "username": "new-staff",
        "display_name": "新同事",
        "role": "STAFF",
        "station": "QH",
        "enterprise_uscc": "",
        "password": "Yh6%tGb4#wQe",
        "confirm_password": "Yh6%tGb4#wQe",
        "csrf_token": token(admin, "/admin/users/new"),
    }
    data.update(fields)
    return admin.post("/admin/users/new", data=data)


def test_create_staff_account(app, admin):
    response = new_user(admin)
    assert response.status_code == 303
    user = get_user("new-staff")
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert user.role is Role.STAFF and user.station.code == "QH" and user.enterprise_id is None
    assert user.must_change_password and user.password_hash.startswith("scrypt:")
    assert [r.detail for r in audit_rows("admin.user_create", username="admin")] == ["user=new-staff role=STAFF at=QH"]
    # The initial password works once, and must be changed first.
    assert login(app.test_client(), "new-staff", "Yh6%tGb4#wQe").headers["Location"] == "/account/password"


def test_create_enterprise_account_by_credit_code(admin):
    uscc = make_enterprise(station_code="QH").uscc
    response = new_user(admin, username="ent-new", role="ENTERPRISE", station="QH", enterprise_uscc=uscc.lower())
    assert response.status_code == 303
    user = get_user("ent-new")
    assert user.enterprise.uscc == uscc
    assert user.station_id is None  # only staff and clerks belong to a station


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"station": ""}, "必须选择所在驿站"),
        ({"role": "CLERK", "station": ""}, "必须选择所在驿站"),
        ({"role": "ENTERPRISE", "enterprise_uscc": ""}, "必须填写所属企业的信用代码"),
        ({"role": "ENTERPRISE", "enterprise_uscc": "91350100M000100Y43"}, "系统中没有该信用代码的企业"),
        ({"role": "ENTERPRISE", "enterprise_uscc": "91350100M000100Y44"}, "统一社会信用代码无效"),
        ({"username": "staff-ll"}, "该用户名已被使用"),
        ({"username": "Bad Name"}, "用户名为3–64位小写字母"),
        ({"password": "Password1!", "confirm_password": "Password1!"}, "该密码过于常见"),
        ({"password": "New-staff2026", "confirm_password": "New-staff2026"}, "容易联想的词"),
        ({"password": "short1!A", "confirm_password": "short1!B"}, "两次输入的密码不一致"),
        ({"role": "ROOT"}, 'id="role-error"'),
    ],
)
def test_create_account_errors_rerender_with_422(admin, fields, message):
    response = new_user(admin, **fields)
    assert response.status_code == 422
    assert message in text(response)
    assert get_user(fields.get("username", "new-staff")) is None or fields.get("username") == "staff-ll"


def edit(admin, user_id: int, **fields):
    data = {"csrf_token": token(admin, f"/admin/users/{user_id}"), "enterprise_uscc": "", **fields}
    return admin.post(f"/admin/users/{user_id}", data=data)


def test_edit_role_station_and_name(admin):
    user_id = get_user("staff-qh").id
    response = edit(admin, user_id, display_name="李强(专员)", role="CLERK", station="QH", is_enabled="y")
    assert response.status_code == 303
    user = get_user("staff-qh")
    assert user.role is Role.CLERK and user.display_name == "李强(专员)" and user.station.code == "QH"
    assert "role:STAFF->CLERK" in audit_rows("admin.user_update", username="admin")[-1].detail

    assert edit(admin, user_id, display_name="李强", role="CENTRAL", station="QH", is_enabled="y").status_code == 303
    assert get_user("staff-qh").station_id is None


def test_disabling_through_the_edit_form_ends_sessions(app, admin):
    make_user("edit-off")
    device = logged_in(app, "edit-off")
    user_id = get_user("edit-off").id
    response = edit(admin, user_id, display_name="x", role="STAFF", station="LL")  # checkbox unticked
    assert response.status_code == 303
    assert get_user("edit-off").is_enabled is False
    assert device.get("/home").status_code == 302
    assert "disabled" in audit_rows("admin.user_update", username="admin")[-1].detail


def test_edit_errors_are_422(admin):
    user_id = get_user("staff-qh").id
    response = edit(admin, user_id, display_name="", role="STAFF", station="", is_enabled="y")
    assert response.status_code == 422
    assert "必须选择所在驿站" in text(response)
    assert get_user("staff-qh").station.code == "QH"


def test_nobody_changes_their_own_role_or_disables_themselves(admin):
    me = get_user("admin")
    page = text(admin.get(f"/admin/users/{me.id}"))
    assert 'name="role"' not in page and 'name="is_enabled"' not in page
    assert "停用账号" not in page and "重置密码" not in page

    # A crafted form cannot do it either: the fields are ignored.
    response = edit(admin, me.id, display_name="管理员", role="CENTRAL", station="", is_enabled="")
    assert response.status_code == 303
    me = get_user("admin")
    assert me.role is Role.ADMIN and me.is_enabled and me.display_name == "管理员"

    assert admin.post(f"/admin/users/{me.id}/disable", data={"csrf_token": token(admin)}).status_code == 403
    response = admin.post(
        f"/admin/users/{me.id}/password",
        data={"password": "Yh6%tGb4#wQe", "confirm_password": "Yh6%tGb4#wQe", "csrf_token": token(admin)},
    )
    assert response.status_code == 403
    assert get_user("admin").is_enabled


def test_reset_password_checks_the_policy(admin):
    user_id = get_user("staff-qh").id
    response = admin.post(
        f"/admin/users/{user_id}/password",
        data={"password": "Qwerty123!", "confirm_password": "Qwerty123!", "csrf_token": token(admin)},
    )
    assert response.status_code == 422
    assert "该密码过于常见" in text(response)
    assert not get_user("staff-qh").must_change_password


def test_reset_password(app, admin):
    user_id = get_user("staff-qh").id
    response = admin.post(
        f"/admin/users/{user_id}/password",
        data={"password": "Yh6%tGb4#wQe", "confirm_password": "Yh6%tGb4#wQe", "csrf_token": token(admin)},
    )
    assert response.status_code == 303
    user = get_user("staff-qh")
    assert user.must_change_password
    assert audit_rows("admin.password_reset", username="admin")[-1].detail == "user=staff-qh"


def test_unlock_and_disable_are_audited(app, admin):
    make_user("locked-one")
    for _attempt in range(5):
        login(app.test_client(), "locked-one", "Wrong-Pass-99!")
    user_id = get_user("locked-one").id
    assert "解除锁定" in text(admin.get(f"/admin/users/{user_id}"))
    assert admin.post(f"/admin/users/{user_id}/unlock", data={"csrf_token": token(admin)}).status_code == 303
    user = get_user("locked-one")
    assert user.locked_until is None and user.failed_logins == 0
    assert admin.post(f"/admin/users/{user_id}/disable", data={"csrf_token": token(admin)}).status_code == 303
    assert get_user("locked-one").is_enabled is False
    assert [r.event for r in audit_rows(username="admin") if r.event.startswith("admin.")] == [
        "admin.user_unlock",
        "admin.user_disable",
    ]


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.post("/admin/users/999999/unlock", data={"csrf_token": token(admin)}).status_code == 404


# --- station scopes -----------------------------------------------------------------------------------------


def ll_station() -> Station:
    return db.session.scalar(select(Station).where(Station.code == "LL"))


def scope_codes(station_code: str = "LL") -> set[str]:
    return set(
        db.session.scalars(
            select(ServiceItem.code)
            .join(StationItem, StationItem.item_id == ServiceItem.id)
            .join(Station, Station.id == StationItem.station_id)
            .where(Station.code == station_code)
        )
    )


def outside_ll() -> str:
    inside = scope_codes()
    return next(
        code for code in db.session.scalars(select(ServiceItem.code).order_by(ServiceItem.code)) if code not in inside
    )


def test_stations_list_shows_scope_sizes(admin):
    body = text(admin.get("/admin/stations"))
    assert f'<td class="num">{len(scope_codes("LL"))}</td>' in body
    assert "/admin/stations/ZX/scope" in body


def test_scope_page_lists_and_pages(admin, count_queries):
    from stations.admin.queries import SCOPE_PAGE_SIZE

    total = len(scope_codes())
    pages = -(-total // SCOPE_PAGE_SIZE)
    body = text(admin.get("/admin/stations/LL/scope"))
    assert f"共 {total} 项" in body
    assert body.count('<tr id="scope-row-') == SCOPE_PAGE_SIZE
    last = text(admin.get(f"/admin/stations/LL/scope?page={pages}"))
    assert last.count('<tr id="scope-row-') == total - (pages - 1) * SCOPE_PAGE_SIZE
    assert admin.get(f"/admin/stations/LL/scope?page={pages + 1}").status_code == 404
    with count_queries() as ll:
        admin.get("/admin/stations/LL/scope")
    with count_queries() as zx:
        admin.get("/admin/stations/ZX/scope")
    assert ll.count == zx.count <= 8


def test_scope_search_answers_the_table_fragment(admin):
    code = sorted(scope_codes())[0]
    response = admin.get(f"/admin/stations/LL/scope?q={code}", headers=htmx_headers("scope-table"))
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="scope-table">')
    assert body.count('<tr id="scope-row-') == 1
    assert f'id="scope-row-{code}"' in body


def test_unknown_station_is_404(admin):
    assert admin.get("/admin/stations/NOPE/scope").status_code == 404


def add(admin, item_code: str, mode: str = "ACCEPT", htmx: bool = False):
    data = {"item_code": item_code, "mode": mode, "csrf_token": token(admin, "/admin/stations/LL/scope")}
    headers = htmx_headers("scope-panel") if htmx else {}
    return admin.post("/admin/stations/LL/scope", data=data, headers=headers)


def test_add_an_item_without_js(admin):
    code = outside_ll()
    response = add(admin, code.lower(), "COLLECT")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/stations/LL/scope"
    assert code in scope_codes()
    assert audit_rows("admin.scope_add", username="admin")[-1].detail == f"station=LL item={code} mode=COLLECT"


def test_add_an_item_with_htmx_returns_the_panel(admin):
    code = outside_ll()
    response = add(admin, code, htmx=True)
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="scope-panel">')
    assert f"共 {len(scope_codes())} 项" in body


@pytest.mark.parametrize(("code", "message"), [("NO-SUCH-0001", "没有编码为 NO-SUCH-0001 的在用事项"), ("", "")])
def test_add_unknown_code_is_422(admin, code, message):
    before = scope_codes()
    for htmx in (False, True):
        response = add(admin, code, htmx=htmx)
        assert response.status_code == 422
        assert message in text(response)
    assert scope_codes() == before


def test_add_an_item_already_in_scope_is_422(admin):
    response = add(admin, sorted(scope_codes())[0], htmx=True)
    assert response.status_code == 422
    assert "已在本驿站的办理范围内" in text(response)
    assert "<html" not in text(response)


def test_change_mode_in_place(admin):
    code = sorted(scope_codes())[0]
    response = admin.post(
        f"/admin/stations/LL/scope/{code}/mode",
        data={"mode": "GUIDE", "csrf_token": token(admin, "/admin/stations/LL/scope")},
        headers=htmx_headers(f"scope-row-{code}"),
    )
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="scope-row-{code}">')
    assert '<option value="GUIDE" selected>' in body
    row = db.session.scalar(
        select(StationItem)
        .join(StationItem.item)
        .where(StationItem.station_id == ll_station().id, ServiceItem.code == code)
    )
    assert row.mode is ScopeMode.GUIDE
    assert audit_rows("admin.scope_mode", username="admin")


def test_change_mode_without_js_and_bad_mode(admin):
    code = sorted(scope_codes())[1]
    url = f"/admin/stations/LL/scope/{code}/mode"
    csrf = token(admin, "/admin/stations/LL/scope")
    assert admin.post(url + "?q=GG", data={"mode": "COLLECT", "csrf_token": csrf}).headers["Location"] == (
        "/admin/stations/LL/scope?q=GG"
    )
    assert admin.post(url, data={"mode": "BOGUS", "csrf_token": csrf}).status_code == 422


def test_remove_an_item(admin):
    code = sorted(scope_codes())[0]
    response = admin.post(
        f"/admin/stations/LL/scope/{code}/remove",
        data={"csrf_token": token(admin, "/admin/stations/LL/scope")},
        headers=htmx_headers("scope-panel"),
    )
    assert response.status_code == 200
    assert f'id="scope-row-{code}"' not in text(response)
    assert code not in scope_codes()
    assert audit_rows("admin.scope_remove", username="admin")[-1].detail == f"station=LL item={code}"
    again = admin.post(f"/admin/stations/LL/scope/{code}/remove", data={"csrf_token": token(admin)})
    assert again.status_code == 404


# --- calendar -------------------------------------------------------------------------------------------------


def day_row(day: date) -> WorkCalendarDay | None:
    db.session.expire_all()
    return db.session.get(WorkCalendarDay, day)


def test_calendar_shows_a_loaded_year(admin):
    body = text(admin.get("/admin/calendar?year=2026"))
    assert "2026 年已载入日历表" in body
    assert body.count('<form id="month-2026-') == 12
    assert 'value="2026-10-01" class="day day-off"' in body  # National Day
    assert 'value="2026-10-10" class="day day-makeup"' in body  # make-up Saturday
    assert "国庆节" in body


def test_calendar_explains_a_missing_year(admin):
    body = text(admin.get("/admin/calendar?year=2027"))
    assert "2027 年尚未完整载入日历表" in body
    assert "一律按周一至周五为工作日计算" in body and "暂定" in body
    assert 'value="2027-01-01" class="day day-provisional"' in body
    assert "日历库（chinesecalendar）尚无 2027 年的数据" in body


def test_calendar_year_out_of_range_is_404(admin):
    assert admin.get("/admin/calendar?year=1800").status_code == 404


def toggle(admin, day: str, htmx: bool = True):
    headers = htmx_headers(f"month-{day[:7]}") if htmx else {}
    return admin.post(
        "/admin/calendar/toggle", data={"day": day, "csrf_token": token(admin, "/admin/")}, headers=headers
    )


def test_toggle_a_day_in_place(admin):
    assert day_row(date(2026, 5, 6)).is_workday
    response = toggle(admin, "2026-05-06")
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="month-2026-05"')
    assert 'value="2026-05-06" class="day day-off"' in body
    row = day_row(date(2026, 5, 6))
    assert row.is_workday is False and row.source == "admin"
    assert audit_rows("admin.calendar_day", username="admin")[-1].detail == "day=2026-05-06 off"
    assert toggle(admin, "2026-05-06", htmx=False).status_code == 303
    assert day_row(date(2026, 5, 6)).is_workday is True


def test_toggle_a_weekend_day_of_a_missing_year_makes_a_makeup_day(admin):
    response = toggle(admin, "2027-01-09")  # a Saturday
    assert 'value="2027-01-09" class="day day-makeup"' in text(response)
    row = day_row(date(2027, 1, 9))
    assert row.is_workday and row.note == "调休上班"


def test_toggle_needs_a_date(admin):
    assert toggle(admin, "not-a-date").status_code == 422


def test_set_a_day_with_a_note(admin):
    response = admin.post(
        "/admin/calendar/day",
        data={"day": "2027-01-01", "kind": "off", "note": "元旦", "csrf_token": token(admin)},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/calendar?year=2027"
    row = day_row(date(2027, 1, 1))
    assert row.is_workday is False and row.note == "元旦" and row.source == "admin"
    bad = admin.post("/admin/calendar/day", data={"day": "", "kind": "off", "csrf_token": token(admin)})
    assert bad.status_code == 422


def test_load_a_year_from_the_library(admin):
    db.session.execute(delete(WorkCalendarDay).where(WorkCalendarDay.day.between(date(2025, 1, 1), date(2025, 12, 31))))
    db.session.commit()
    assert "2025 年尚未完整载入日历表" in text(admin.get("/admin/calendar?year=2025"))
    response = admin.post("/admin/calendar/load", data={"year": "2025", "csrf_token": token(admin)})
    assert response.status_code == 303
    count = db.session.scalar(
        select(func.count())
        .select_from(WorkCalendarDay)
        .where(WorkCalendarDay.day.between(date(2025, 1, 1), date(2025, 12, 31)))
    )
    assert count == 365
    assert day_row(date(2025, 10, 11)).is_workday  # the make-up Saturday
    assert audit_rows("admin.calendar_load", username="admin")[-1].detail == "year=2025 rows=365"


def test_loading_a_year_the_library_does_not_know_is_422(admin):
    response = admin.post("/admin/calendar/load", data={"year": "2027", "csrf_token": token(admin)})
    assert response.status_code == 422
    assert "尚无 2027 年的数据" in text(response)
    assert admin.post("/admin/calendar/load", data={"year": "abc", "csrf_token": token(admin)}).status_code == 422


def test_calendar_page_runs_a_fixed_number_of_queries(admin, count_queries):
    with count_queries() as counter:
        admin.get("/admin/calendar?year=2026")
    assert counter.count <= 6


def test_every_admin_form_posts_with_a_csrf_field(admin):
    for url in (
        "/admin/",
        "/admin/users/new",
        f"/admin/users/{get_user('staff-qh').id}",
        "/admin/stations/LL/scope",
        "/admin/calendar",
    ):
        body = text(admin.get(url))
        for form in re.findall(r'<form[^>]*method="post".*?</form>', body, flags=re.S):
            assert 'name="csrf_token"' in form, f"{url}: a POST form without the CSRF field"


def test_non_admins_are_refused_and_the_refusal_is_audited(login_as):
    central = login_as("central")
    assert central.get("/admin/users").status_code == 403
    assert (
        central.post(
            "/admin/calendar/toggle", data={"day": "2026-05-06", "csrf_token": token(central, "/home")}
        ).status_code
        == 403
    )
    assert day_row(date(2026, 5, 6)).is_workday
    denied = audit_rows("authz.denied", username="central")
    assert [r.detail for r in denied] == ["role GET /admin/users", "role POST /admin/calendar/toggle"]


def test_staff_password_rules_also_apply_to_enterprise_users_created_by_admin(admin):
    uscc = db.session.scalar(select(Enterprise.uscc).limit(1))
    response = new_user(
        admin, username="ent-x", role="ENTERPRISE", enterprise_uscc=uscc, password="abc", confirm_password="abc"
    )
    assert response.status_code == 422
    assert "密码至少需要 8 位" in text(response)


def test_created_user_can_log_in_after_changing_the_initial_password(app, admin):
    assert new_user(admin, username="first-day").status_code == 303
    client = app.test_client()
    login(client, "first-day", "Yh6%tGb4#wQe")
    response = client.post(
        "/account/password",
        data={
            "current_password": "Yh6%tGb4#wQe",
            "new_password": STRONG_PASSWORD,
            "confirm_password": STRONG_PASSWORD,
            "csrf_token": token(client, "/account/password"),
        },
    )
    assert response.status_code == 303
    assert client.get("/home").status_code == 200
