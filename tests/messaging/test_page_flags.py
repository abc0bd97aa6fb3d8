"""The conversation page reads one flag for the clerk's side (messaging.queries.keeps_inbox): the breadcrumb back to
the inbox and the heading naming the client. The clerk can follow the breadcrumb to its inbox; the enterprise,
shown neither, has the one conversation at /messages/ and no other's."""

from __future__ import annotations

import pytest

from stations.auth.models import Role, User
from stations.messaging import queries
from tests.factories import Client

BREADCRUMB = '<p class="breadcrumb"><a href="/messages/">客户消息</a></p>'


@pytest.mark.parametrize("role", list(Role))
def test_only_the_clerk_keeps_an_inbox(role):
    assert queries.keeps_inbox(User(username="inbox-flag", role=role)) is (role is Role.CLERK)


def test_the_clerk_sees_the_breadcrumb_and_follows_it_to_the_inbox(login_as, gd: Client):
    clerk = login_as(gd.clerk.username)
    page = clerk.get(f"/messages/{gd.enterprise.id}").get_data(as_text=True)
    assert BREADCRUMB in page and f"与 {gd.enterprise.name} 的沟通" in page
    inbox = clerk.get("/messages/")
    assert inbox.status_code == 200
    assert f'href="/messages/{gd.enterprise.id}"' in inbox.get_data(as_text=True)  # the way back in


def test_the_enterprise_has_its_one_conversation_and_no_inbox(login_as, gd: Client):
    ent = login_as(gd.username)
    page = ent.get("/messages/").get_data(as_text=True)
    assert BREADCRUMB not in page and "的沟通" not in page
    assert f"您的办事专员：{gd.clerk.display_name}" in page
    assert ent.get(f"/messages/{gd.enterprise.id}").status_code == 403  # the clerk's route to a conversation
