"""Who may create an appeal, a meeting request or a takeout order is one set each (stations/access), read by the
page's guard and by API v1's check alike: a role refused on one entry point is refused on the other."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stations.access import APPEAL_REGISTER_ROLES, MEETING_REQUEST_ROLES, TAKEOUT_ORDER_ROLES
from stations.auth.models import Role, User
from stations.extensions import db
from tests.helpers.suite import csrf_token_from

CREATES = [
    ("appeals.create", "/api/v1/appeals", APPEAL_REGISTER_ROLES),
    ("meetings.create", "/api/v1/meetings", MEETING_REQUEST_ROLES),
    ("takeout.create", "/api/v1/takeout/orders", TAKEOUT_ORDER_ROLES),
]


@pytest.mark.parametrize(("endpoint", "_api", "roles"), CREATES, ids=[c[0] for c in CREATES])
def test_the_pages_guard_is_the_access_set(app, endpoint, _api, roles):
    assert app.view_functions[endpoint].allowed_roles == roles


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_the_api_refuses_exactly_the_roles_outside_the_set(login_as, role):
    username = db.session.scalar(select(User.username).where(User.role == role).order_by(User.id))
    client = login_as(username)
    headers = {"X-CSRFToken": csrf_token_from(client, "/notifications/")}
    for _endpoint, url, roles in CREATES:
        answer = client.post(url, json={}, headers=headers)
        if role in roles:
            assert answer.status_code == 422, (role, url, answer.get_json())  # let in; the empty body is refused
        else:
            assert answer.status_code == 403, (role, url, answer.status_code)
