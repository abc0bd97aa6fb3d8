"""What every case page shares: the signed-in user, the visible case, paging, safe "next" links, htmx targets."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.models import Role, User
from ..web.htmx import hx_trigger
from ..web.params import int_arg
from . import queries
from .models import Case

QUEUE_FRAGMENTS = {"case-table": "case_table"}
INTAKE_FRAGMENTS = {"enterprise-results": "enterprise_results", "item-results": "item_results"}
SHOW_FRAGMENTS = {"case-panel": "case_panel"}
LEDGER_FRAGMENTS = {"ledger-table": "ledger_table"}
PANEL_TARGET = "case-panel"

QUEUE_ROLES = (Role.STAFF, Role.CLERK, Role.CENTRAL, Role.ADMIN)
QUEUE_PAGE_SIZE = 25  # a tablet screen or two; the pager (or ?page=) for the rest (issue 21)
LEDGER_PAGE_SIZE = 20


def signed_in_user() -> User:
    return current_user._get_current_object()


def page_number() -> int:
    page = int_arg("page", 1, minimum=1)
    return page if page and page > 0 else 1


def safe_next(value: str | None, default: str) -> str:
    """A local path to go back to after an action (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def current_path() -> str:
    return request.full_path.rstrip("?")


def visible_case(user: User, case_no: str) -> Case:
    """The case with everything its page shows, or 404 when the user may not see it (or it does not exist)."""
    case = queries.case_for(user, case_no)
    if case is None:
        abort(404)
    return case


def row_target(case: Case) -> str:
    return f"case-row-{case.id}"


def case_updated(response: Response, case: Case) -> Response:
    return hx_trigger(
        response,
        {
            "case-updated": {
                "id": case.id,
                "case_no": case.case_no,
                "status": case.status.value,
                "version": case.version,
            }
        },
    )
