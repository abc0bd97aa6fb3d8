"""Role checks for views. Unauthenticated users go to the login page; wrong roles get 403.

A refusal is written to the audit trail as ``authz.denied`` (security.md Z9).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from ..database import write_now
from . import audit
from .models import Role


def deny(reason: str = "role") -> None:
    """Record the refusal and answer 403. :raise Forbidden: always.

    The row is written in a short write transaction of its own (taken up front, retried while the database is
    busy): a refusal is often a GET, whose read transaction SQLite cannot upgrade once another request has
    written, and the refusal must be recorded, never turned into a 500.
    """
    user = current_user._get_current_object()
    detail = f"{reason} {request.method} {request.path}"
    write_now(lambda: audit.record("authz.denied", "fail", user=user, detail=detail))
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
