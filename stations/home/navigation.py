"""The top navigation a signed-in user sees: which links each role gets, decided here and not in base.html.

Templates read flags computed in Python, never copies of role sets (architecture.md §6). A link guarded by
``roles_required`` takes its roles from that guard (``allowed_roles`` on the view), so the menu and the 403 cannot
disagree. A link whose view lets every signed-in user in and scopes inside names its roles here, from the access
rule it follows. Some links are narrower than their views on purpose: an enterprise user reaches 网上申请 and 办事专员
from its own home, so the menu offers them to natural persons only.
tests/home/test_navigation.py checks every link against its view.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import BUNDLE_APPLY_ROLES, PERSON_INTAKE_ROLES, PROJECT_ROLES
from ..auth.models import Role

EVERYONE = None  # every signed-in user; the view scopes what each sees
FROM_VIEW = "view"  # the roles of the view's own roles_required guard

# Who sees bundle cases at all (access.bundle_case_scope): the applicants at the window plus the privileged roles.
BUNDLE_ROLES = BUNDLE_APPLY_ROLES | {Role.CENTRAL, Role.ADMIN}


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object  # a lazy string: translated when the page renders, in the page's language
    roles: frozenset[Role] | str | None = FROM_VIEW


# In the order they appear.
LINKS: tuple[NavLink, ...] = (
    NavLink("home.mine", _l("我的工作台"), EVERYONE),
    NavLink("dashboard.index", _l("监控看板")),
    NavLink("admin.index", _l("系统管理")),
    NavLink("messaging.index", _l("消息")),
    NavLink("backoffice.queue", _l("部门待办")),
    NavLink("person_cases.intake", _l("个人事项收件"), frozenset(PERSON_INTAKE_ROLES)),
    NavLink("person_cases.mine", _l("我的办件")),
    NavLink("enterprises.apply", _l("网上申请"), frozenset({Role.PERSON})),
    NavLink("clerks.index", _l("办事专员"), frozenset({Role.PERSON})),
    NavLink("bundles.index", _l("一件事"), BUNDLE_ROLES),
    NavLink("projects.board", _l("重点项目"), PROJECT_ROLES),
    NavLink("appeals.index", _l("企业诉求"), EVERYONE),
    NavLink("meetings.index", _l("一键约见")),
    NavLink("policy_sessions.index", _l("政策宣讲")),
    NavLink("takeout.index", _l("政务外卖")),
)


@dataclass(frozen=True)
class ShownLink:
    url: str
    label: str


def link_roles(link: NavLink, app: Flask) -> frozenset[Role] | None:
    """The roles ``link`` is shown to; None for every signed-in user."""
    if link.roles == FROM_VIEW:
        return app.view_functions[link.endpoint].allowed_roles
    return link.roles


def links_for(role: Role) -> list[ShownLink]:
    """The links a user of ``role`` sees, in order (labels in the request's language)."""
    shown = []
    for link in LINKS:
        roles = link_roles(link, current_app)
        if roles is None or role in roles:
            shown.append(ShownLink(url_for(link.endpoint), str(link.label)))
    return shown


def nav_links() -> list[ShownLink]:
    """For base.html: the signed-in user's links; none for a visitor (the public links are the template's own)."""
    if not current_user.is_authenticated:
        return []
    return links_for(current_user.role)
