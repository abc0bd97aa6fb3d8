"""政务外卖 through the pages: order on the phone, call back and dispatch at the station, take in on site with a
photo, register a problem, finish; bad input answers 422 in place, never a 500 (issue 15)."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from stations.appeals.models import Appeal, SourceChannel
from stations.cases.models import Case, Channel
from stations.domain.takeout_flow import OrderEvent, OrderStatus
from stations.extensions import db
from stations.takeout.models import Order, OrderCase
from tests import factories as f
from tests.helpers.suite import csrf_token_from, htmx_headers
from tests.helpers.takeout import ADDRESS, fire, menu_codes, on_site


def _token(client) -> str:
    return csrf_token_from(client, "/account/password")


def _photo(size: int = 64) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    return out


def _photo_field(order) -> str:
    """The on-site form's file field of the first material of the order's first item."""
    return f"photo-{order.lines[0].menu_line.item.materials[0].id}"


def _order_form(client, **overrides) -> dict:
    form = {
        "csrf_token": _token(client),
        "submission_key": "order-form-1",
        "lines": menu_codes(2),
        "address": ADDRESS,
        "contact_name": "王经理",
        "contact_phone": "13800000001",
        "preferred_windows": "工作日上午",
    }
    return {**form, **overrides}


def test_an_enterprise_orders_on_its_phone_and_a_double_tap_makes_one_order(login_as, gd):
    client = login_as(gd.username)
    page = client.get("/takeout/new")
    assert page.status_code == 200 and "政务外卖点单" in page.get_data(as_text=True)
    before = db.session.scalar(select(func.count(Order.id)))
    first = client.post("/takeout/new", data=_order_form(client))
    again = client.post("/takeout/new", data=_order_form(client))
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(select(func.count(Order.id))) == before + 1
    shown = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "已点单" in shown and "取消点单" in shown


def test_bad_orders_answer_422_in_place_and_keep_what_was_typed(login_as, gd):
    client = login_as(gd.username)
    outside = client.post(
        "/takeout/new", data=_order_form(client, address="西安市雁塔区科技路1号", submission_key="x1")
    )
    body = outside.get_data(as_text=True)
    assert outside.status_code == 422 and "泾河新城范围内" in body and "13800000001" in body
    none = client.post("/takeout/new", data=_order_form(client, lines=[], submission_key="x2"))
    assert none.status_code == 422 and "请至少选择一项服务" in none.get_data(as_text=True)
    empty = client.post("/takeout/new", data={"csrf_token": _token(client), "submission_key": "x3"})
    assert empty.status_code == 422 and "请填写上门服务的详细地址" in empty.get_data(as_text=True)


def test_the_menu_fragment_searches_by_pinyin(login_as, gd):
    client = login_as(gd.username)
    fragment = client.get("/takeout/menu?q=shbzk", headers=htmx_headers("menu-results"))
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "社会保障卡" in text and "<html" not in text


def test_the_station_calls_back_and_dispatches_in_place(login_as, gd):
    client = login_as(gd.username)
    location = client.post("/takeout/new", data=_order_form(client, submission_key="flow")).headers["Location"]
    order = db.session.scalar(select(Order).where(Order.order_no == location.rsplit("/", 1)[1]))
    staff = login_as("staff-ll")
    url = f"/takeout/{order.order_no}/events"
    headers = htmx_headers("order-panel")
    answer = staff.post(url, data={"csrf_token": _token(staff), "event": "contact", "version": 1}, headers=headers)
    assert answer.status_code == 200 and "已联系" in answer.get_data(as_text=True)
    assert "<html" not in answer.get_data(as_text=True)  # the panel only
    stale = staff.post(url, data={"csrf_token": _token(staff), "event": "dispatch", "version": 1}, headers=headers)
    assert stale.status_code == 409 and "已被他人更新" in stale.get_data(as_text=True)
    nobody = staff.post(url, data={"csrf_token": _token(staff), "event": "dispatch", "version": 2}, headers=headers)
    assert nobody.status_code == 422 and "请至少选择一名上门人员" in nobody.get_data(as_text=True)
    team = {"csrf_token": _token(staff), "event": "dispatch", "version": 2, "team": [f.user("staff-ll").id]}
    assert staff.post(url, data=team, headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, order.id).status is OrderStatus.DISPATCHED


def test_on_site_a_case_with_its_photo_arrives_once_linked_to_the_order(login_as):
    order = on_site()
    db.session.commit()
    staff = login_as("staff-ll")
    item_code = order.lines[0].menu_line.item.code
    cases_before = db.session.scalar(select(func.count(Case.id)))

    def submit():
        form = {"csrf_token": _token(staff), "submission_key": "onsite-1", "item_code": item_code}
        form[_photo_field(order)] = (_photo(), "material.png", "image/png")
        return staff.post(f"/takeout/{order.order_no}/cases", data=form, content_type="multipart/form-data")

    answers = [submit() for _ in range(3)]  # a flaky network: the same submission three times
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert db.session.scalar(select(func.count(Case.id))) == cases_before + 1
    link = db.session.scalar(select(OrderCase).where(OrderCase.order_id == order.id))
    case = db.session.get(Case, link.case_id)
    assert case.channel is Channel.TAKEOUT and case.enterprise_id == order.enterprise_id
    assert any(m.document_id for m in case.materials)  # the photographed material


def test_on_site_a_bad_photo_or_an_item_outside_the_order_is_refused(login_as):
    order = on_site()
    db.session.commit()
    staff = login_as("staff-ll")
    url = f"/takeout/{order.order_no}/cases"
    big = {"csrf_token": _token(staff), "submission_key": "b1", "item_code": order.lines[0].menu_line.item.code}
    big[_photo_field(order)] = (io.BytesIO(b"MZ not an image"), "virus.exe", "application/octet-stream")
    refused = staff.post(url, data=big, content_type="multipart/form-data")
    assert refused.status_code == 422 and "照片未通过检查" in refused.get_data(as_text=True)
    other = staff.post(url, data={"csrf_token": _token(staff), "submission_key": "b2", "item_code": "NOPE"})
    assert other.status_code == 422 and "本订单中的政务服务事项" in other.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OrderCase.id)).where(OrderCase.order_id == order.id)) == 0
    qh = login_as("staff-qh")
    outsider = qh.post(url, data={"csrf_token": _token(qh), "item_code": "x"})
    assert outsider.status_code == 404


def test_a_problem_found_on_site_becomes_an_appeal_and_the_visit_finishes(login_as):
    order = on_site()
    db.session.commit()
    staff = login_as("staff-ll")
    form = {"csrf_token": _token(staff), "submission_key": "p1", "description": "厂区周边道路照明不足"}
    answer = staff.post(f"/takeout/{order.order_no}/problems", data=form, headers=htmx_headers("order-panel"))
    assert answer.status_code == 200
    appeal = db.session.scalar(select(Appeal).where(Appeal.description == "厂区周边道路照明不足"))
    assert appeal.source_channel is SourceChannel.TAKEOUT and appeal.appeal_no in answer.get_data(as_text=True)
    finished = fire(order, OrderEvent.FINISH, outcome="登记问题1个")
    assert finished.status is OrderStatus.SERVED


def test_the_central_office_reads_but_has_no_action(login_as):
    order = on_site()
    db.session.commit()
    page = login_as("central").get(f"/takeout/{order.order_no}").get_data(as_text=True)
    assert order.order_no in page and "完成上门服务" not in page and "现场受理" not in page


def test_the_team_member_gets_the_offline_outbox_and_the_on_site_forms(login_as, gd):
    order = on_site(owner=gd)
    db.session.commit()
    page = login_as("staff-ll").get(f"/takeout/{order.order_no}").get_data(as_text=True)
    items = sum(1 for line in order.lines if line.menu_line.item is not None)
    # each item's intake, the problem, and finishing the visit
    assert 'id="offline-outbox"' in page and page.count("data-offline-form") == items + 2
    assert "offline-forms.js" in page and 'name="submission_key"' in page
    enterprise_page = login_as(gd.username).get(f"/takeout/{order.order_no}").get_data(as_text=True)
    assert "offline-outbox" not in enterprise_page  # only the team works on site


def test_an_oversized_photo_is_refused_and_nothing_is_taken_in(app, login_as):
    order = on_site()
    db.session.commit()
    staff = login_as("staff-ll")
    limit = app.config["UPLOAD_MAX_BYTES"]
    huge = {"csrf_token": _token(staff), "submission_key": "huge", "item_code": order.lines[0].menu_line.item.code}
    huge[_photo_field(order)] = (io.BytesIO(b"\\x89PNG\\r\\n\\x1a\\n" + b"0" * (limit + 1)), "huge.png", "image/png")
    refused = staff.post(f"/takeout/{order.order_no}/cases", data=huge, content_type="multipart/form-data")
    assert refused.status_code in (413, 422)
    assert db.session.scalar(select(func.count(OrderCase.id)).where(OrderCase.order_id == order.id)) == 0


def test_administrators_move_the_menu_as_xlsx_all_or_nothing(login_as):
    from openpyxl import Workbook, load_workbook

    from stations.takeout.models import MenuLine

    admin = login_as("admin")
    exported = admin.get("/takeout/menu-admin/export.xlsx")
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("编码", "名称", "类型") and len(rows) - 1 >= 560

    def upload(extra_rows, key):
        book = Workbook()
        sheet = book.active
        for row in rows[:3] + extra_rows:
            sheet.append(list(row))
        out = io.BytesIO()
        book.save(out)
        form = {"csrf_token": _token(admin), "file": (io.BytesIO(out.getvalue()), "menu.xlsx")}
        return admin.post("/takeout/menu-admin/import", data=form, content_type="multipart/form-data")

    good = ("WMZC99", "园区碳排放政策辅导", "政策咨询", "政策咨询", "", "FZJJ", "是")
    bad = ("WMBAD1", "", "外卖", "", "NOPE", "", "也许")
    refused = upload([good, bad], "k1")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "第5行" in text and "名称为空" in text
    assert db.session.scalar(select(MenuLine).where(MenuLine.code == "WMZC99")) is None  # nothing half-imported
    assert upload([good], "k2").status_code == 303
    added = db.session.scalar(select(MenuLine).where(MenuLine.code == "WMZC99"))
    assert added.title == "园区碳排放政策辅导" and added.skills == ["FZJJ"] and added.pinyin.startswith("yqtpfzcfd")
    toggled = admin.post("/takeout/menu-admin/WMZC99/toggle", data={"csrf_token": _token(admin)},
                         headers=htmx_headers("menu-line-WMZC99"))  # fmt: skip
    assert toggled.status_code == 200 and "已下架" in toggled.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(MenuLine.is_active).where(MenuLine.code == "WMZC99")) is False


def test_the_queue_and_the_order_page_cost_the_same_queries_for_more_rows(login_as, count_queries):
    from tests.helpers.takeout import placed

    staff = login_as("staff-ll")
    order = on_site()
    db.session.commit()
    with count_queries() as few:
        assert staff.get("/takeout/").status_code == 200
    with count_queries() as page_few:
        assert staff.get(f"/takeout/{order.order_no}").status_code == 200
    for n in range(5):
        placed(custom_request=f"更多订单 {n}")
    f.make_case(instant=True)
    db.session.commit()
    with count_queries() as many:
        assert staff.get("/takeout/").status_code == 200
    with count_queries() as page_many:
        assert staff.get(f"/takeout/{order.order_no}").status_code == 200
    assert many.count == few.count and page_many.count == page_few.count
