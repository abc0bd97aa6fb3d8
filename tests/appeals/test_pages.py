"""The appeal pages end to end over HTTP: register, assign, sign, reply, call-back, re-open, close; bad input."""

from __future__ import annotations

import io

from sqlalchemy import select

from stations.catalog.models import Department
from stations.domain.appeal_flow import AppealStatus, Feedback
from stations.extensions import db
from stations.notifications.models import Notification, NotificationKind
from stations.timeutil import business_today
from tests.helpers.appeals import PDF, appeal, fire, token
from tests.helpers.suite import htmx_headers


def _register(client, **extra):
    data = {
        "csrf_token": token(client),
        "source_channel": "PHONE",
        "enterprise_name": "(测试)来电企业",
        "category": "POLICY_FULFILMENT",
        "nature": "HELP",
        "urgency": "NORMAL",
        "description": "研发补贴迟迟未到账",
        "contact_phone": "13800000000",
        **extra,
    }
    return client.post("/appeals/new", data=data, content_type="multipart/form-data")


def _no(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_phone_call_to_closure(login_as, uploads):
    staff, admin, dept = login_as("staff-ll"), login_as("admin"), login_as("dept-rs")
    response = _register(staff, attachments=(io.BytesIO(PDF), "证明.pdf"))
    assert response.status_code == 303
    no = _no(response)
    assert appeal(no).status is AppealStatus.REGISTERED and len(appeal(no).attachments) == 1
    assert staff.get(f"/appeals/{no}").status_code == 200
    assert dept.get(f"/appeals/{no}").status_code == 404  # not yet assigned to 人社

    sb = db.session.scalar(select(Department).where(Department.code == "SB"))
    queue = admin.get("/appeals/?status=REGISTERED").get_data(as_text=True)
    assert no in queue
    row = f"appeal-row-{appeal(no).id}"
    response = fire(admin, no, "assign", htmx_headers(row), department_id=sb.id, due_on=appeal(no).due_on.isoformat())
    assert response.status_code == 200 and row in response.get_data(as_text=True)
    assert appeal(no).status is AppealStatus.ASSIGNED
    assert db.session.scalar(
        select(Notification.id).where(
            Notification.kind == NotificationKind.APPEAL_UPDATE, Notification.link.contains(no)
        )
    )

    assert fire(dept, no, "sign").status_code == 303
    assert fire(dept, no, "first_contact").status_code == 303
    assert fire(dept, no, "reply", reply_text="已协调财政拨付", signed_off_by="周科长").status_code == 303
    assert appeal(no).status is AppealStatus.REPLIED and appeal(no).reply_on_time is True

    assert fire(staff, no, "callback", feedback="UNSATISFIED").status_code == 303
    assert appeal(no).status is AppealStatus.REOPENED and appeal(no).reopen_count == 1
    assert fire(staff, no, "reopen").status_code == 303
    assert fire(dept, no, "reply", reply_text="补贴已到账", signed_off_by="周科长").status_code == 303
    assert fire(staff, no, "callback", feedback="SATISFIED").status_code == 303
    closed = appeal(no)
    assert closed.status is AppealStatus.CLOSED and closed.feedback is Feedback.SATISFIED
    assert [e.event for e in closed.events] == [
        "register", "assign", "sign", "first_contact", "reply", "callback", "reopen", "reply", "callback",
    ]  # fmt: skip
    page = staff.get(f"/appeals/{no}").get_data(as_text=True)
    assert "补贴已到账" in page


def test_enterprise_registers_on_its_portal_and_reads_plain_words(login_as, gd, qn):
    ent = login_as(gd.username)
    response = _register(ent, source_channel="NOPE")  # the enterprise's channel is always PORTAL
    assert response.status_code == 303
    no = _no(response)
    assert appeal(no).source_channel.value == "PORTAL"
    page = ent.get(f"/appeals/{no}").get_data(as_text=True)
    assert "我们已收到您的诉求" in page
    assert no in ent.get("/appeals/").get_data(as_text=True)
    assert login_as(qn.username).get(f"/appeals/{no}").status_code == 404


def test_bad_input_is_a_clear_4xx(login_as, uploads):
    staff = login_as("staff-ll")
    response = _register(staff, source_channel="TELEGRAM")
    assert response.status_code == 422 and "未知的诉求来源渠道" in response.get_data(as_text=True)
    response = _register(staff, description="  ")
    assert response.status_code == 422 and "请填写诉求内容" in response.get_data(as_text=True)
    response = _register(staff, attachments=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "合同.pdf"))
    assert response.status_code == 415 and "附件类型不支持" in response.get_data(as_text=True)
    staff.application.config["UPLOAD_MAX_BYTES"], old = 64, staff.application.config["UPLOAD_MAX_BYTES"]
    try:
        response = _register(staff, attachments=(io.BytesIO(PDF + b"x" * 200), "大.pdf"))
    finally:
        staff.application.config["UPLOAD_MAX_BYTES"] = old
    assert response.status_code == 413 and "附件过大" in response.get_data(as_text=True)

    no = _no(_register(staff))
    response = fire(staff, no, "reply", reply_text="x", signed_off_by="y")  # out of order
    assert response.status_code == 422 and "不能进行此操作" in response.get_data(as_text=True)
    response = fire(staff, no, "assign")  # the supervisor's event
    assert response.status_code == 422
    response = fire(staff, no, "fly")
    assert response.status_code == 422 and "未知的操作" in response.get_data(as_text=True)
    admin = login_as("admin")
    response = fire(admin, no, "assign", version=99, department_id=1, due_on=business_today().isoformat())
    assert response.status_code == 409 and "已被他人更新" in response.get_data(as_text=True)
    response = fire(admin, no, "assign", department_id=1, due_on="2020-13-01")
    assert response.status_code == 422 and "日期格式不正确" in response.get_data(as_text=True)
    response = fire(admin, no, "assign", due_on=business_today().isoformat())
    assert response.status_code == 422 and "请选择承办部门" in response.get_data(as_text=True)
    central = login_as("central")
    assert fire(central, no, "merge", original_no="X").status_code == 403  # read-only


def test_the_form_carries_a_submission_key_and_a_repeat_makes_one_appeal(login_as):
    from sqlalchemy import func

    from stations.appeals.models import Appeal

    staff = login_as("staff-ll")
    assert 'name="submission_key"' in staff.get("/appeals/new").get_data(as_text=True)
    before = db.session.scalar(select(func.count(Appeal.id)))
    first = _register(staff, submission_key="tablet-appeal-1")
    again = _register(staff, submission_key="tablet-appeal-1")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(select(func.count(Appeal.id))) == before + 1


def test_the_queue_costs_the_same_queries_for_more_rows(login_as, count_queries):
    staff = login_as("staff-ll")
    _register(staff)
    with count_queries() as few:
        assert staff.get("/appeals/").status_code == 200
    for _ in range(5):
        _register(staff)
    with count_queries() as many:
        assert staff.get("/appeals/").status_code == 200
    assert many.count == few.count


def test_the_enterprise_hears_of_the_reply_and_answers_the_call_back_itself(login_as, gd):
    ent = login_as(gd.username)
    no = _no(_register(ent))
    admin, dept = login_as("admin"), login_as("dept-rs")
    sb = db.session.scalar(select(Department).where(Department.code == "SB"))
    fire(admin, no, "assign", department_id=sb.id, due_on=appeal(no).due_on.isoformat())
    for event in ("sign", "first_contact"):
        assert fire(dept, no, event).status_code == 303
    assert fire(dept, no, "reply", reply_text="已解决", signed_off_by="科长").status_code == 303
    user_id = db.session.scalar(
        select(Notification.user_id).where(Notification.link.contains(no)).order_by(Notification.id.desc())
    )

    assert user_id == gd.account.id
    page = ent.get(f"/appeals/{no}").get_data(as_text=True)
    assert "您对答复满意吗" in page and "已解决" in page
    assert fire(ent, no, "callback", feedback="SATISFIED").status_code == 303
    assert appeal(no).status is AppealStatus.CLOSED
