"""Persons as applicants (issue 12, item 4): intake for a 群众 at a station, and a person's own cases.

Station staff (or the person's dedicated clerk) take in a personal item (社保卡, 异地就医备案, 公积金提取...) for a person identified by a 居民身份证 number
(checked with python-stdnum, stored masked: enterprises/persons.py). A bad number is refused with a clear message
(422, the form again), never a 500. Signed in as a person (Role.PERSON), one sees one's own cases.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import PERSON_INTAKE_ROLES
from ..auth.decorators import roles_required
from ..auth.models import Role
from ..catalog.models import Department, ServiceItem
from ..extensions import db
from ..idempotency import idempotent
from ..sites.models import ScopeMode, StationItem
from ..web.htmx import render
from . import queries
from .intake import PERSONAL_CATEGORIES, intake_channel, person_applicant
from .labels import CASE_ERROR_MESSAGES, template_labels
from .models import MaterialStatus
from .queries import QueueFilters
from .services import CaseError, MaterialInput, receive_case

bp = Blueprint("person_cases", __name__, url_prefix="/persons")


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
@roles_required(*PERSON_INTAKE_ROLES)
def intake():
    return _form()


ID_ERRORS = ("invalid_id_no", "unknown_person", "not_your_client")


@bp.post("/intake")
@roles_required(*PERSON_INTAKE_ROLES)
@idempotent("cases.person_intake")  # a double tap makes one case
def intake_create():
    """Staff take in for any person (registered on first sight); a dedicated clerk for a person who chose it."""
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
        person = None if errors else person_applicant(user, form.get("id_no", ""), name=name, phone=phone)
    except CaseError as error:
        errors["id_no"] = str(CASE_ERROR_MESSAGES[error.code])
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
            channel=intake_channel(user, user.station),
            applicant_name=name,
            applicant_phone=phone or None,
            materials=materials,
        )
    except CaseError as error:
        db.session.rollback()
        field = "id_no" if error.code in ID_ERRORS else "item_code"
        return _form({field: str(CASE_ERROR_MESSAGES.get(error.code, error.code))}, 422)
    case_no = case.case_no
    db.session.commit()
    return redirect(url_for("cases.show", case_no=case_no), 303)


@bp.get("/cases")
@roles_required(Role.PERSON)
def mine():
    user = current_user._get_current_object()
    result = queries.case_rows(user, QueueFilters(include_closed=True), page=1, page_size=50, order="newest")
    return render("cases/person_cases.html", user=user, rows=result.rows, **template_labels())
