"""The department queue (业务口后台, issue 12): the cases handed to the signed-in examiner's department.

A case for an item its station only COLLECTs arrives here at acceptance (backoffice.py). The examiner opens it on
the ordinary case page, where the state machine offers the back-office events (review, special procedure, decide,
issue); the first examiner to start the review becomes the case's 首办负责人.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from ..auth.decorators import roles_required
from ..auth.models import Role
from ..calendar.services import current_calendar
from ..domain.case_vocabulary import CaseStatus
from ..domain.deadlines import WarnLevel, remaining_working_days
from ..timeutil import business_today
from ..web.htmx import render
from . import queries
from .labels import template_labels
from .queries import QueueFilters

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

PAGE_SIZE = 30
STATUS_TABS = ("OPEN", "ALL")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


@bp.route("/")
@roles_required(Role.DEPARTMENT)
def queue():
    user = current_user._get_current_object()
    status = request.args.get("status", "").strip().upper()
    if status not in CaseStatus.__members__ and status not in STATUS_TABS:
        status = "OPEN"  # unknown values are ignored, never an error
    filters = QueueFilters(status=status if status in CaseStatus.__members__ else None, include_closed=status == "ALL")
    result = queries.case_rows(user, filters, page=_page(), page_size=PAGE_SIZE)
    today, calendar = business_today(), current_calendar()
    rows = []
    for case, level in result.rows:
        remaining = None
        if case.due_on is not None and level not in (WarnLevel.DONE.value, WarnLevel.PAUSED.value):
            remaining = remaining_working_days(today, case.due_on, calendar)
        rows.append({"case": case, "level": level, "remaining": remaining})
    return render(
        "backoffice/queue.html",
        user=user,
        rows=rows,
        page=result.page,
        has_next=result.has_next,
        current_status=status,
        statuses=[s for s in CaseStatus if s not in (CaseStatus.FORWARDED, CaseStatus.PARTNER_SIGNED)],
        counts=queries.colour_counts(user),
        **template_labels(),
    )
