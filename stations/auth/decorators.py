"""Role checks for views. Unauthenticated users go to the login page; wrong roles get 403.

A refusal is written to the audit trail as ``authz.denied`` (security.md Z9).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from ..extensions import db
from . import audit
from .models import Role


def deny(reason: str = "role") -> None:
    """Record the refusal and answer 403. :raise Forbidden: always."""
    audit.record(
        "authz.denied",
        "fail",
        user=current_user._get_current_object(),
        detail=f"{reason} {request.method} {request.path}",
    )
    db.session.commit()
    abort(403)


def roles_required(*roles: Role) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                deny()
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


admin_required = roles_required(Role.ADMIN)
central_office_required = roles_required(Role.CENTRAL, Role.ADMIN)
staff_required = roles_required(Role.STAFF, Role.CLERK)
enterprise_required = roles_required(Role.ENTERPRISE)
