"""Dedicated clerks (办事专员) as enterprises see them: the directory, choosing or changing one, the history.

"沟通只对一人": an enterprise picks the clerk it likes from the directory (station, business lines, languages,
hours, current load, average rating from ``ratings.queries``). Changing clerks keeps the history and hands the open cases over
(``cases.services.change_clerk``); from then on only the new clerk sees them (access.py reads the current choice).

Also the clerk's own home addition: its clients and what each still owes (``clerk_home_context``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..access import APPLICANT_ROLES
from ..auth.decorators import roles_required
from ..auth.models import User
from ..cases import client_queries
from ..cases import services as case_services
from ..catalog import queries as catalog_queries
from ..clerks import queries as clerk_queries
from ..clerks.services import ClerkError
from ..extensions import db
from ..ratings import queries as rating_queries
from ..web.errors import error_response
from ..web.htmx import render
from .forms import ClerkChoiceForm

bp = Blueprint("clerks", __name__, url_prefix="/clerks")

# A person (群众) chooses a clerk as an enterprise does (issue 12): both are applicant rows (enterprise_id).
applicant_required = roles_required(*APPLICANT_ROLES)

CLERK_ERRORS = {
    "already_chosen": _l("该专员已是您的办事专员。"),
    "not_accepting": _l("该专员暂不接受新的企业选择，请选择其他专员。"),
    "full": _l("该专员服务的企业已满，请选择其他专员。"),
    "conflict": _l("您的办事专员刚刚已被更换，请查看最新情况。"),
}
CHOSEN_BY_LABELS = {"APPLICANT": _l("企业自选"), "CENTER": _l("中心指派")}
NO_ENTERPRISE = _l("您的账号尚未关联企业，请联系系统管理员。")


def _user() -> User:
    return current_user._get_current_object()


def _enterprise_id(user: User) -> int:
    if user.enterprise_id is None:
        abort(error_response(403, str(NO_ENTERPRISE), "no_enterprise"))
    return user.enterprise_id


def _directory(
    user: User, *, status: int = 200, error: str | None = None, form: ClerkChoiceForm | None = None
) -> Response:
    enterprise_id = _enterprise_id(user)
    entries = clerk_queries.directory()
    ids = [entry.clerk.id for entry in entries]
    choice = clerk_queries.current_choice(enterprise_id)
    open_cases = client_queries.open_case_count(enterprise_id)
    return render(
        "clerks/index.html",
        status=status,
        user=user,
        entries=entries,
        loads=client_queries.clerk_loads(ids),
        ratings=rating_queries.average_for_clerks(ids),  # 1-5; a clerk without ratings: 暂无评价
        departments={department.code: department.name for department in catalog_queries.departments()},
        choice=choice,
        # A choice that replaces a clerk or moves open cases is asked once more, saying how many cases move.
        open_cases=open_cases,
        confirm_choice=choice is not None or open_cases > 0,
        form=form or ClerkChoiceForm(),
        error=error,
    )


@bp.route("/")
@applicant_required
def index():
    return _directory(_user())


@bp.route("/<int:clerk_id>/choose", methods=["POST"])
@applicant_required
def choose(clerk_id: int):
    """Choose (or change to) this clerk: the old choice ends, the open cases go to the new clerk."""
    user = _user()
    enterprise_id = _enterprise_id(user)
    entry = clerk_queries.clerk_entry(clerk_id)
    if entry is None:
        abort(404)
    form = ClerkChoiceForm()
    if not form.validate_on_submit():
        message = " ".join(str(e) for e in form.note.errors) or _("页面已过期，请刷新后重试。")
        return _directory(user, status=422, error=message, form=form)
    try:
        moved = case_services.change_clerk(enterprise_id, entry.clerk, by=user, note=form.note.data or "")
        db.session.commit()
    except ClerkError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        return _directory(user, status=422, error=str(CLERK_ERRORS.get(error.code, CLERK_ERRORS["not_accepting"])))
    except IntegrityError:  # another tab chose at the same moment: one current choice only
        db.session.rollback()
        return _directory(user, status=409, error=str(CLERK_ERRORS["conflict"]))
    message = _("已选择%(name)s为您的办事专员。", name=entry.clerk.display_name)
    if moved:
        message += " " + ngettext(
            "您未办结的 %(num)d 件办件已转由该专员跟进。", "您未办结的 %(num)d 件办件已转由该专员跟进。", moved
        )
    flash(message, "success")
    return redirect(url_for("clerks.index"), 303)


@bp.route("/history")
@applicant_required
def history():
    user = _user()
    return render(
        "clerks/history.html",
        user=user,
        choices=clerk_queries.history(_enterprise_id(user)),
        chosen_by_labels=CHOSEN_BY_LABELS,
    )


# --- the clerk's home (/home for CLERK): added to its queue ------------------------------------------------------


def clerk_home_context(clerk: User) -> dict:
    """Its clients (with their open cases) and what each still owes: three queries."""
    return {
        "clients": client_queries.clients_of(clerk),
        "client_dues": client_queries.client_dues(clerk),
    }
