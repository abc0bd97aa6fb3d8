"""JSON API v1, key projects (contract.md): the projects in the caller's scope with their procedures and colours."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import may_use_project_board
from ..domain.project_flow import procedure_level, project_level
from ..projects import queries as project_queries
from ..timeutil import business_today
from .views import ApiError, bp, json_response


@bp.get("/projects")
@login_required
def list_projects():
    user = current_user._get_current_object()
    if not may_use_project_board(user):
        raise ApiError(403, "forbidden", _("您的账号不能查看重点项目。"))
    today = business_today()
    yellow_from = project_queries.horizon(today)
    answer = []
    for code, name, procedures in project_queries.visible_projects(user):
        levels = [procedure_level(p.status, p.planned_on, today, yellow_from) for p in procedures]
        answer.append(
            {
                "code": code,
                "name": name,
                "warn_level": project_level(levels).value.upper(),
                "procedures": [
                    {
                        "name": p.name,
                        "department": p.department,
                        "planned_on": p.planned_on.isoformat() if p.planned_on else None,
                        "status": p.status.value,
                        "warn_level": level.value.upper(),
                    }
                    for p, level in zip(procedures, levels, strict=True)
                ],
            }
        )
    return json_response(answer)
