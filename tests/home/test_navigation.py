"""The top navigation (stations/home/navigation.py): which links each role sees, and that each leads somewhere the
role may go. base.html only loops over the links; the rule is in Python (architecture.md §6)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from stations.auth.models import Role, User
from stations.extensions import db
from stations.home.navigation import EVERYONE, LINKS, link_roles, links_for

PUBLIC = ["/catalog/", "/stations/", "/track"]  # the template's own links, for visitors and users alike
# Who sees what, written out by hand: a change to the menu must change this table on purpose.
SIGNED_IN = {
    Role.ADMIN: [
        "/home",
        "/dashboard",
        "/admin/",
        "/bundles/",
        "/projects/",
        "/appeals/",
        "/meetings/",
        "/sessions/",
        "/takeout/",
    ],
    Role.CENTRAL: [
        "/home",
        "/dashboard",
        "/bundles/",
        "/projects/",
        "/appeals/",
        "/meetings/",
        "/sessions/",
        "/takeout/",
    ],
    Role.STAFF: [
        "/home",
        "/persons/intake",
        "/bundles/",
        "/appeals/",
        "/meetings/",
        "/sessions/",
        "/takeout/",
    ],
    Role.CLERK: [
        "/home",
        "/messages/",
        "/persons/intake",
        "/bundles/",
        "/appeals/",
        "/meetings/",
        "/sessions/",
        "/takeout/",
    ],
    Role.ENTERPRISE: [
        "/home",
        "/messages/",
        "/bundles/",
        "/appeals/",
        "/meetings/",
        "/sessions/",
        "/takeout/",
    ],
    Role.PERSON: [
        "/home",
        "/persons/cases",
        "/enterprise/apply",
        "/clerks/",
        "/appeals/",
        "/meetings/",
        "/sessions/",
    ],
    Role.DEPARTMENT: ["/home", "/backoffice/", "/projects/", "/appeals/", "/meetings/", "/sessions/"],
    Role.COMMISSIONER: ["/home", "/projects/", "/appeals/", "/meetings/", "/sessions/"],
}
NAV = re.compile(r'<nav class="topnav"[^>]*>(.*?)</nav>', re.S)


def demo_username(role: Role) -> str:
    return db.session.scalar(select(User.username).where(User.role == role).order_by(User.id))


def menu_of(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)">', NAV.search(html).group(1))


def test_every_role_is_in_the_table():
    assert set(SIGNED_IN) == set(Role)


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.endpoint)
def test_a_link_is_never_wider_than_its_views_guard(app, link):
    """Shown to a role its view would refuse, a link would lead to a 403: a guarded view's roles bound its link."""
    guard = getattr(app.view_functions[link.endpoint], "allowed_roles", None)
    roles = link_roles(link, app)
    if guard is None:
        assert roles is EVERYONE or roles, "an unguarded view: the link names its roles or is for everyone"
    else:
        assert roles is not EVERYONE and roles <= guard


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_sees_its_links_and_may_open_each(login_as, role):
    client = login_as(demo_username(role))
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert menu_of(page.get_data(as_text=True)) == PUBLIC + SIGNED_IN[role]
    for url in SIGNED_IN[role]:
        opened = client.get(url)
        assert opened.status_code in (200, 302), f"{role.value} follows {url}: {opened.status_code}"
        assert opened.status_code == 200 or "/login" not in opened.headers["Location"]


def test_a_visitor_sees_only_the_public_links(client):
    assert menu_of(client.get("/catalog/").get_data(as_text=True)) == PUBLIC


def test_the_labels_follow_the_language(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            labels = [link.label for link in links_for(Role.STAFF)]
        chinese = [link.label for link in links_for(Role.STAFF)]
    assert chinese[0] == "我的工作台" and labels[0] != chinese[0]
    assert all(label.isascii() for label in labels)
