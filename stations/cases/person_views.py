"""Persons as applicants (issue 12, item 4): intake for a 群众 at a station, and a person's own cases.

Station staff take in a personal item (社保卡, 异地就医备案, 公积金提取...) for a person identified by a 居民身份证 number
(checked with python-stdnum, stored masked: enterprises/persons.py). A bad number is refused with a clear message
(422, the form again), never a 500. Signed in as a person (Role.PERSON), one sees one's own cases.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import roles_required
from ..auth.models import Role
from ..catalog.models import Department, DepartmentCategory, ServiceItem
from ..enterprises.persons import InvalidIdNumber, register_person
from ..extensions import db
from ..idempotency import idempotent
from ..sites.models import ScopeMode, StationItem
from ..web.htmx import render
from . import queries
from .labels import CASE_ERROR_MESSAGES, template_labels
from .models import Channel, MaterialStatus
from .queries import QueueFilters
from .services import CaseError, MaterialInput, receive_case

bp = Blueprint("person_cases", __name__, url_prefix="/persons")

PERSONAL_CATEGORIES = (
    DepartmentCategory.SOCIAL_SECURITY,
    DepartmentCategory.MEDICAL_INSURANCE,
    DepartmentCategory.HOUSING_FUND,
)


def personal_items(station_id: int) -> list[ServiceItem]:
    """The items for persons a station takes in: social security, medical insurance, housing fund."""
    return list(
        db.session.scalars(
            select(ServiceItem)
            .join(StationItem, StationItem.item_id == ServiceItem.id)
            .join(Department, Department.id == ServiceItem.department_id)
            .where(
                StationItem.station_id == station_id,
                StationItem.mode != ScopeMode.GUIDE,
                ServiceItem.is_active.is_(True),
                Department.category.in_(PERSONAL_CATEGORIES),
            )
            .order_by(ServiceItem.code)
        )
    )


def _form(errors: dict[str, str] | None = None, status: int = 200):
    user = current_user._get_current_object()
    return render(
        "cases/person_intake.html",
        status=status,
        user=user,
        items=personal_items(user.station_id),
        posted=request.form.to_dict(flat=True) if request.method == "POST" else {},
        errors=errors or {},
    )


@bp.get("/intake")
@roles_required(Role.STAFF)
def intake():
    return _form()


@bp.post("/intake")
@roles_required(Role.STAFF)
@idempotent("cases.person_intake")  # a double tap makes one case
def intake_create():
    user = current_user._get_current_object()
    form = request.form
    name = form.get("name", "").strip()[:100]
    phone = form.get("phone", "").strip()[:32]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写申请人姓名。")
    item = next((i for i in personal_items(user.station_id) if i.code == form.get("item_code", "")), None)
    if item is None:
        errors["item_code"] = _("请选择本驿站可办理的个人事项。")
    try:
        person = None if errors else register_person(name=name, id_no=form.get("id_no", ""), phone=phone)
    except InvalidIdNumber:
        errors["id_no"] = _("居民身份证号码无效,请核对(18 位,含出生日期和校验位)。")
    if errors:
        db.session.rollback()
        return _form(errors, 422)
    checked = form.get("materials_checked") == "y"
    status = MaterialStatus.VERIFIED if checked else MaterialStatus.MISSING
    materials = [MaterialInput(m.id, status) for m in item.materials if m.is_required]
    try:
        case = receive_case(
            user=user,
            station=user.station,
            item=item,
            enterprise=person,
            channel=Channel.COMPREHENSIVE if user.station.code == "ZX" else Channel.STATION,
            applicant_name=name,
            applicant_phone=phone or None,
            materials=materials,
        )
    except CaseError as error:
        db.session.rollback()
        return _form({"item_code": str(CASE_ERROR_MESSAGES.get(error.code, error.code))}, error.status)
    case_no = case.case_no
    db.session.commit()
    return redirect(url_for("cases.show", case_no=case_no), 303)


@bp.get("/cases")
@roles_required(Role.PERSON)
def mine():
    user = current_user._get_current_object()
    result = queries.case_rows(user, QueueFilters(include_closed=True), page=1, page_size=50, order="newest")
    return render("cases/person_cases.html", user=user, rows=result.rows, **template_labels())
