"""Small helpers the administrator pages share."""

from __future__ import annotations

from flask_login import current_user

from ..auth.models import User
from ..web.params import int_arg


def signed_in_admin() -> User:
    return current_user._get_current_object()


def page_arg() -> int:
    page = int_arg("page", 1, minimum=1)
    return page if page and page > 0 else 1
