"""Role checks for views. Unauthenticated users go to the login page; wrong roles get 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def roles_required(*roles: Role) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = roles_required(Role.ADMIN)
central_office_required = roles_required(Role.CENTRAL, Role.ADMIN)
staff_required = roles_required(Role.STAFF, Role.CLERK)
enterprise_required = roles_required(Role.ENTERPRISE)
