"""Dedicated clerks: the directory, choosing or changing one (history kept, open work handed over, the old clerk
loses sight of it), the clerk's home (what its clients owe), and intake for a client at another station."""

from __future__ import annotations

from sqlalchemy import func, select

from stations.auth.models import Role
from stations.cases import services
from stations.cases.models import Case
from stations.cases.services import EventInput
from stations.clerks import services as clerk_services
from stations.clerks.models import ClerkChoice, ClerkProfile
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from tests import factories as f
from tests.accounts import make_user
from tests.cases.test_intake import intake_data, latest_case, post_intake
from tests.helpers.cases import fire, rongque_case, text, token


def choose(client, clerk_username: str, **data):
    form = {"csrf_token": token(client), **data}
    return client.post(f"/clerks/{f.user(clerk_username).id}/choose", data=form)


def choices_of(client: f.Client) -> list[ClerkChoice]:
    """The clerk choices of ``client``'s enterprise, oldest first."""
    db.session.expire_all()
    enterprise = client.enterprise
    return list(
        db.session.scalars(
            select(ClerkChoice).where(ClerkChoice.enterprise_id == enterprise.id).order_by(ClerkChoice.id)
        ).all()
    )


# --- the directory ------------------------------------------------------------------------------------------------


def test_directory_shows_each_clerks_station_lines_languages_hours_load_and_rating(login_as, gd):
    f.make_case(enterprise=gd.enterprise)  # an open case of the client, a client of clerk-ll
    body = text(login_as(gd.username).get("/clerks/"))
    for needle in ("办事专员 张丽", "办事专员 刘洋", "两链融合示范园政务服务驿站", "秦创原·氢合湾政务服务驿站"):
        assert needle in body
    assert "市场监管" in body and "工建审批" in body  # business lines, by department name
    assert "普通话、英语" in body and "周一至周五 09:00–17:00" in body
    ll = body[body.index('id="clerk-' + str(f.user("clerk-ll").id)) :]
    clients = db.session.scalar(
        select(func.count(ClerkChoice.id)).where(ClerkChoice.clerk_id == gd.clerk.id, ClerkChoice.ended_at.is_(None))
    )  # the demo's clients of clerk-ll and this one
    assert f"{clients} 家企业" in ll and "上限 50 家" in ll and "1 件未办结" in ll
    assert "当前专员" in ll and "暂无评价" in ll
    qh = body[body.index('id="clerk-' + str(f.user("clerk-qh").id)) :]
    assert "更换为此专员" in qh


def test_directory_runs_a_fixed_number_of_queries(login_as, count_queries, gd):
    client = login_as(gd.username)
    client.get("/clerks/")
    with count_queries() as few:
        client.get("/clerks/")
    for _ in range(5):
        f.make_case(enterprise=gd.enterprise)
    make_user("clerk-new", Role.CLERK)
    clerk_services.ensure_profile(f.user("clerk-new"), business_lines=["SW"], languages=["普通话"])
    client.get("/clerks/")  # warmed up as before the first count (the commits above expired the signed-in account)
    with count_queries() as more:
        body = text(client.get("/clerks/"))
    assert "测试 clerk-new" in body
    assert few.count == more.count <= 9, more.statements


def test_only_enterprises_use_the_directory(login_as):
    for username in ("clerk-ll", "staff-ll", "central"):
        client = login_as(username)
        assert client.get("/clerks/").status_code == 403
        assert choose(client, "clerk-qh").status_code == 403


# --- choosing and changing ---------------------------------------------------------------------------------------


def test_changing_clerk_hands_the_open_cases_over_and_keeps_history(login_as, gd):
    open_case = f.make_case(enterprise=gd.enterprise)
    other_station = f.make_case(by="staff-qh", station_code="QH", enterprise=gd.enterprise)
    done = f.make_case(enterprise=gd.enterprise)
    fire(done, CaseEvent.WITHDRAW)
    client = login_as(gd.username)
    before = text(login_as("clerk-ll").get("/home"))
    assert open_case.case_no in before and other_station.case_no in before

    response = choose(client, "clerk-qh")
    assert response.status_code == 303 and response.headers["Location"] == "/clerks/"
    assert "2 件办件已转由该专员跟进" in text(client.get("/clerks/"))

    old, new = choices_of(gd)
    assert old.clerk.username == "clerk-ll" and old.ended_at is not None
    assert new.clerk.username == "clerk-qh" and new.ended_at is None and new.chosen_at == old.ended_at
    db.session.expire_all()
    assert db.session.get(Case, open_case.id).clerk.username == "clerk-qh"
    assert db.session.get(Case, other_station.id).clerk.username == "clerk-qh"
    assert db.session.get(Case, done.id).clerk.username == "clerk-ll"  # closed work stays as it was
    assert db.session.get(Case, open_case.id).events[-1].event == "hand_over"

    new_home = text(login_as("clerk-qh").get("/home"))
    assert open_case.case_no in new_home and other_station.case_no in new_home
    assert login_as("clerk-qh").get(f"/cases/{open_case.case_no}").status_code == 200
    old_clerk = login_as("clerk-ll")
    assert open_case.case_no not in text(old_clerk.get("/home"))
    assert open_case.case_no not in text(old_clerk.get("/cases/"))
    assert old_clerk.get(f"/cases/{open_case.case_no}").status_code == 404
    assert old_clerk.get(f"/cases/{done.case_no}").status_code == 404  # its former client's history too

    history = text(client.get("/clerks/history"))
    assert history.index("办事专员 刘洋") < history.index("办事专员 张丽")
    assert "当前专员" in history and "企业自选" in history

    back = choose(client, "clerk-ll")  # and back again: a third period, the history grows
    assert back.status_code == 303 and len(choices_of(gd)) == 3


def test_a_change_that_moves_open_cases_is_asked_once_more_and_keeps_its_reason(login_as, gd):
    f.make_case(enterprise=gd.enterprise)
    f.make_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    directory = text(client.get("/clerks/"))
    card = directory.split(f'id="clerk-{f.user("clerk-qh").id}"', 1)[1].split("</li>", 1)[0]
    # The first tap only opens the question, which says how many cases move; the reason is optional.
    confirm = card.split('<details class="row-confirm clerk-confirm">', 1)[1].split("</details>", 1)[0]
    assert f"更换后，您未办结的 2 件办件将转由{f.user('clerk-qh').display_name}跟进。确定更换？" in confirm
    assert 'name="note"' in confirm and "required" not in confirm and "确定更换" in confirm

    assert choose(client, "clerk-qh", note="  离公司更近的驿站  ").status_code == 303
    assert choices_of(gd)[-1].note == "离公司更近的驿站"
    assert "离公司更近的驿站" in text(client.get("/clerks/history"))


def test_a_reason_too_long_is_422_in_place_and_changes_nothing(login_as, gd):
    client = login_as(gd.username)
    response = choose(client, "clerk-qh", note="原" * 201)
    assert response.status_code == 422 and "更换原因请控制在 200 字以内。" in text(response)
    assert [choice.clerk.username for choice in choices_of(gd)] == ["clerk-ll"]


def test_choosing_the_current_clerk_again_is_422(login_as, gd):
    client = login_as(gd.username)
    response = choose(client, "clerk-ll")
    assert response.status_code == 422 and "已是您的办事专员" in text(response)
    assert len(choices_of(gd)) == 1


def test_a_clerk_not_taking_clients_or_full_cannot_be_chosen(login_as, gd, qn):
    profile = db.session.scalars(select(ClerkProfile).where(ClerkProfile.user_id == f.user("clerk-qh").id)).one()
    profile.max_clients = 1  # the demo ent-qn already has clerk-qh
    client = login_as(gd.username)
    assert "暂不接受新的企业选择" in text(client.get("/clerks/"))
    full = choose(client, "clerk-qh")
    assert full.status_code == 422 and "服务的企业已满" in text(full)
    profile.max_clients = None
    profile.accepts_clients = False
    closed = choose(client, "clerk-qh")
    assert closed.status_code == 422 and "暂不接受新的企业选择" in text(closed)
    assert [c.clerk.username for c in choices_of(gd)] == ["clerk-ll"]


def test_only_a_clerk_can_be_chosen(login_as, gd):
    client = login_as(gd.username)
    assert choose(client, "staff-ll").status_code == 404
    assert client.post("/clerks/999999/choose", data={"csrf_token": token(client)}).status_code == 404


def test_each_enterprise_sees_only_its_own_history(login_as, gd, qn):
    choose(login_as(gd.username), "clerk-qh")
    qn_history = text(login_as(qn.username).get("/clerks/history"))
    assert qn_history.count("<tr") == 2  # header + its one period with clerk-qh
    assert "办事专员 张丽" not in qn_history


# --- the clerk's home ------------------------------------------------------------------------------------------


def test_clerk_home_lists_what_each_client_still_owes(login_as, gd, qn):
    rongque = rongque_case(enterprise=gd.enterprise)
    correction = fire(
        f.make_case(materials="missing", enterprise=gd.enterprise), CaseEvent.REQUEST_CORRECTION, note="补正"
    )
    qn_case = rongque_case(by="staff-qh", station_code="QH", enterprise=qn.enterprise)
    body = text(login_as("clerk-ll").get("/home"))
    assert "客户待补材料" in body and "我的客户" in body
    for deficiency in rongque.deficiencies:
        assert f"#deficiency-{deficiency.id}" in body and deficiency.case_material.item_material.name in body
    assert correction.case_no in body and "补正" in body
    assert qn_case.case_no not in body  # not a client of clerk-ll
    assert f'href="/cases/new?enterprise={gd.enterprise.id}"' in body  # take in for this client
    assert gd.enterprise.name in body
    staff = text(login_as("staff-ll").get("/home"))
    assert "客户待补材料" not in staff


def test_clerk_home_queries_do_not_grow_with_the_dues(login_as, count_queries):
    client = login_as("clerk-ll")
    rongque_case()
    client.get("/home")
    # Requests share the test's session: start each measured request with an empty identity map, so
    # what the setup happened to load cannot save the page a query in one run and not in the other.
    db.session.flush()
    db.session.expunge_all()
    with count_queries() as few:
        client.get("/home")
    for _ in range(4):
        rongque_case()
        fire(f.make_case(materials="missing"), CaseEvent.REQUEST_CORRECTION, note="补正")
    db.session.flush()  # the setup's own pending writes are not the page's queries
    db.session.expunge_all()
    with count_queries() as more:
        client.get("/home")
    assert few.count == more.count, (few.statements, more.statements)


def test_clerk_takes_in_for_its_client_at_another_station(login_as, gd):
    item = f.item(station_code="QH", instant=False)
    client = login_as("clerk-ll")
    response = post_intake(client, intake_data(client, item=item, enterprise=gd.enterprise, station="QH"))
    assert response.status_code == 303
    case = latest_case()
    assert case.station.code == "QH" and case.clerk.username == "clerk-ll"
    assert case.received_by_id == f.user("clerk-ll").id
    assert case.case_no in text(login_as("staff-qh").get("/cases/"))
    assert case.case_no in text(client.get("/home"))
    services.apply_event(case, CaseEvent.ACCEPT, f.user("clerk-ll"), version=case.version, data=EventInput())
    assert case.status.value == "ACCEPTED"  # and acts on it within the state machine


def test_directory_shows_the_average_rating_once_rated(login_as, gd):
    from tests.helpers.ratings import bad_rating, delivered_case

    case = delivered_case(enterprise=gd.enterprise)
    case.clerk_id = f.user("clerk-ll").id
    bad_rating(case, owner=gd, level=2)
    body = text(login_as(gd.username).get("/clerks/"))
    ll = body[body.index('id="clerk-' + str(f.user("clerk-ll").id)) :]
    assert "2.0 分（满分 5 分）" in ll.split("</li>")[0]
    qh = body[body.index('id="clerk-' + str(f.user("clerk-qh").id)) :]
    assert "暂无评价" in qh.split("</li>")[0]


def test_demo_profiles_are_seeded_once():
    from stations.demo import seed_clerk_profiles

    seed_clerk_profiles()
    seed_clerk_profiles()
    profiles = db.session.scalars(select(ClerkProfile).join(ClerkProfile.user).order_by(ClerkProfile.id)).all()
    assert [p.user.username for p in profiles] == ["clerk-ll", "clerk-qh"]
    assert profiles[0].languages == ["普通话", "英语"] and profiles[0].max_clients == 50
