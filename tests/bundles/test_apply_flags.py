"""The bundle application asks for a new enterprise's name of who may register one (access.may_register_enterprise,
the rule the application itself follows), and of no one else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stations.enterprises.models import Enterprise
from stations.extensions import db
from tests import factories as f
from tests.helpers.cases import text
from tests.helpers.suite import csrf_token_from

NAME_FIELD = 'name="enterprise_name"'
NEW_NAME = "泾河标志测试新材料有限公司"


@pytest.mark.parametrize(("who", "asked"), [("staff-ll", True), ("clerk-ll", False), ("the client", False)])
def test_the_new_enterprises_name_is_asked_of_staff_only(login_as, who, asked):
    username = f.make_client().username if who == "the client" else who
    page = login_as(username).get("/bundles/XC-QYKB/apply")
    assert page.status_code == 200
    assert (NAME_FIELD in text(page)) is asked


def test_a_clerk_cannot_register_an_enterprise_by_posting_its_name(login_as):
    clerk = login_as("clerk-ll")
    data = {
        "csrf_token": csrf_token_from(clerk, "/bundles/XC-QYKB/apply"),
        "enterprise_uscc": f.new_uscc(),
        "enterprise_name": NEW_NAME,
        "applicant_name": "李经办",
        "applicant_phone": "029-1234567",
    }
    response = clerk.post("/bundles/XC-QYKB/apply", data=data)
    assert response.status_code == 422
    assert "没有该统一社会信用代码的企业" in text(response)
    assert "请先由驿站工作人员登记" in text(response) and "新企业请同时填写企业名称" not in text(response)
    assert db.session.scalar(select(Enterprise).where(Enterprise.name == NEW_NAME)) is None


def test_staff_are_told_to_give_a_new_enterprises_name(login_as):
    staff = login_as("staff-ll")
    data = {
        "csrf_token": csrf_token_from(staff, "/bundles/XC-QYKB/apply"),
        "enterprise_uscc": f.new_uscc(),
        "applicant_name": "李经办",
        "applicant_phone": "029-1234567",
    }
    response = staff.post("/bundles/XC-QYKB/apply", data=data)
    assert response.status_code == 422
    assert "新企业请同时填写企业名称" in text(response)
