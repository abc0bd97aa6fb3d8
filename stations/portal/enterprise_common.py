"""What the enterprise's own pages share: their constants, labels and who the signed-in applicant is."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import APPLICANT_ROLES
from ..auth.decorators import roles_required
from ..auth.models import User
from ..enterprises.models import Enterprise, TrustLevel
from ..web.errors import error_response

HOME_FRAGMENTS = {"enterprise-cases": "enterprise_cases"}
APPLY_FRAGMENTS = {"apply-items": "apply_items"}
HOME_PAGE_SIZE = 20
POLL_SECONDS = 20
APPLY_MAX_FILES = 8  # one online application may carry a file per material
# Online application is for persons too (issue 12): intake refuses them an item that is not a personal one.
applicant_required = roles_required(*APPLICANT_ROLES)

TRUST_LABELS = {
    TrustLevel.A: _l("电子证照"),
    TrustLevel.B: _l("窗口已核验原件"),
    TrustLevel.C: _l("自行上传，待核验"),
}
NO_ENTERPRISE = _l("您的账号尚未关联企业，请联系系统管理员。")


def signed_in_user() -> User:
    return current_user._get_current_object()


def own_enterprise(user: User) -> Enterprise:
    """The user's enterprise; an enterprise account without one has nothing to see here (403)."""
    if user.enterprise is None:
        abort(error_response(403, str(NO_ENTERPRISE), "no_enterprise"))
    return user.enterprise
