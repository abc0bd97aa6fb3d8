"""One conversation per enterprise: sending, unread counts, polling with ETag / 304, bounded queries, attachments,
case links, scoping, and a change of clerk."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from stations.clerks.models import ClerkChoice
from stations.enterprises import services as enterprise_services
from stations.extensions import db
from stations.messaging import queries, services
from stations.messaging.models import Message
from stations.timeutil import utcnow
from stations.uploads.storage import store_bytes
from tests import factories as f
from tests.helpers.cases import PDF, token
from tests.helpers.suite import htmx_headers

POLL = htmx_headers("message-list")


def send(client, url: str, body: str, headers=None, **fields):
    return client.post(url, data={"csrf_token": token(client), "body": body, **fields}, headers=headers or {})


def write(gd: f.Client, n: int, *, start: int = 0) -> None:
    """``n`` messages in ``gd``'s conversation with its clerk, alternating sides."""
    ent, clerk = gd.account, gd.clerk
    for i in range(start, start + n):
        services.send_message(user=ent if i % 2 == 0 else clerk, enterprise_id=gd.enterprise.id, body=f"第{i}条消息")


def document_of(owner: f.Client, name: str = "营业执照"):
    enterprise = owner.enterprise
    stored = store_bytes(PDF, "application/pdf", f"{name}.pdf", enterprise_id=enterprise.id, user_id=None)
    return enterprise_services.add_document(enterprise.id, name, stored.id, user=owner.account)


def test_enterprise_writes_and_the_clerk_answers(login_as, gd):
    enterprise = login_as(gd.username)
    response = send(enterprise, "/messages/", "请问营业执照变更需要带什么?")
    assert response.status_code == 303 and response.headers["Location"] == "/messages/"
    clerk = login_as("clerk-ll")
    inbox = clerk.get("/messages/").get_data(as_text=True)
    assert gd.enterprise.name in inbox and 'class="badge badge-info">1<' in inbox  # one unread
    assert queries.unread_total(f.user("clerk-ll")) == 1
    page = clerk.get(f"/messages/{gd.enterprise.id}").get_data(as_text=True)
    assert "请问营业执照变更需要带什么?" in page
    assert queries.unread_total(f.user("clerk-ll")) == 0  # seen
    answer = send(
        clerk, f"/messages/{gd.enterprise.id}", "带原件和法人身份证即可。", headers=htmx_headers("conversation")
    )
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "<html" not in body and "带原件和法人身份证即可。" in body and 'id="message-list"' in body
    assert queries.unread_count(gd.account, gd.enterprise.id) == 1
    mine = enterprise.get("/messages/").get_data(as_text=True)
    assert "带原件和法人身份证即可。" in mine and "办事专员 张丽" in mine
    assert queries.unread_count(gd.account, gd.enterprise.id) == 0


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_message_is_a_422(login_as, body, gd):
    client = login_as(gd.username)
    response = send(client, "/messages/", body, headers=htmx_headers("conversation"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html and "请输入消息内容。" in html
    assert send(client, "/messages/", body).status_code == 422  # without htmx: the whole page, still 422
    assert db.session.scalar(select(Message.id)) is None


def test_a_too_long_message_is_a_422(login_as, gd):
    response = send(login_as(gd.username), "/messages/", "长" * 2001)
    assert response.status_code == 422 and "2000" in response.get_data(as_text=True)


def test_the_poll_answers_304_while_nothing_changed(login_as, count_queries, gd):
    write(gd, 3)
    client = login_as(gd.username)
    first = client.get("/messages/", headers=POLL)
    assert first.status_code == 200 and "<html" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache" and "HX-Target" in first.headers["Vary"]
    with count_queries() as counter:
        unchanged = client.get("/messages/", headers={**POLL, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert counter.count <= 2, counter.statements  # the session's user + one (last id, count) query
    write(gd, 1, start=3)
    changed = client.get("/messages/", headers={**POLL, "If-None-Match": etag})
    assert changed.status_code == 200 and "第3条消息" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag
    # A full page is another variant: it never matches the fragment's ETag.
    page = client.get("/messages/", headers={"If-None-Match": changed.headers["ETag"]})
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)


def test_clerk_poll_is_scoped_and_cheap(login_as, count_queries, gd):
    write(gd, 2)
    clerk, url = login_as("clerk-ll"), f"/messages/{gd.enterprise.id}"
    etag = clerk.get(url, headers=POLL).headers["ETag"]
    with count_queries() as counter:
        assert clerk.get(url, headers={**POLL, "If-None-Match": etag}).status_code == 304
    assert counter.count <= 2, counter.statements  # the user, then (client check, last id, count) in one query
    assert login_as("clerk-qh").get(url, headers=POLL).status_code == 404


def _counts(gd, login_as, count_queries) -> dict[str, int]:
    counts = {}
    for username, url in (
        (gd.username, "/messages/"),
        ("clerk-ll", f"/messages/{gd.enterprise.id}"),
        ("clerk-ll", "/messages/"),
    ):
        client = login_as(username)
        client.get(url)  # read once, so that both runs start from the same read marker state
        for name, headers in (("page", {}), ("poll", POLL)):
            with count_queries() as counter:
                assert client.get(url, headers=headers).status_code == 200
            counts[f"{username} {url} {name}"] = counter.count
    return counts


def test_queries_do_not_grow_with_the_number_of_messages(login_as, count_queries, gd):
    write(gd, 3)
    few = _counts(gd, login_as, count_queries)
    write(gd, 57, start=3)
    many = _counts(gd, login_as, count_queries)
    assert few == many, (few, many)
    assert max(many.values()) <= 14, many


def test_the_page_shows_the_latest_50_and_links_older(login_as, gd):
    write(gd, 60)
    client = login_as(gd.username)
    page = client.get("/messages/").get_data(as_text=True)
    assert "第59条消息" in page and "第10条消息" in page and "第9条消息" not in page
    older = re.search(r'href="(/messages/\?before=\d+)"', page).group(1)
    earlier = client.get(older).get_data(as_text=True)
    assert "第9条消息" in earlier and "第0条消息" in earlier and "第10条消息" not in earlier
    assert "hx-trigger" not in earlier.split('id="message-list"')[1][:200]  # an older page does not poll


def test_an_enterprise_never_sees_another_ones_messages(login_as, uploads, gd, qn):
    document = document_of(gd)
    services.send_message(user=gd.account, enterprise_id=gd.enterprise.id, body="光电子的秘密", document=document)
    message = db.session.scalar(select(Message))
    other = login_as(qn.username)
    assert "光电子的秘密" not in other.get("/messages/").get_data(as_text=True)
    assert "光电子的秘密" not in other.get("/messages/", headers=POLL).get_data(as_text=True)
    assert other.get(f"/messages/files/{message.id}").status_code == 404
    assert other.get(f"/messages/{gd.enterprise.id}").status_code == 403  # the clerk's URL: not for enterprises
    assert login_as("clerk-qh").get(f"/messages/{gd.enterprise.id}").status_code == 404  # not its client
    assert login_as("clerk-qh").get(f"/messages/files/{message.id}").status_code == 404
    assert login_as("clerk-ll").get(f"/messages/{qn.enterprise.id}").status_code == 404
    for username in ("staff-ll", "central"):
        assert login_as(username).get("/messages/").status_code == 403
        assert login_as(username).get(f"/messages/files/{message.id}").status_code == 403
    assert "光电子的秘密" not in login_as("clerk-qh").get("/messages/").get_data(as_text=True)


def test_attachments_come_from_the_enterprises_own_store(login_as, uploads, gd, qn):
    own = document_of(gd, "公司章程")
    foreign = document_of(qn, "氢能章程")
    client = login_as(gd.username)
    page = client.get("/messages/").get_data(as_text=True)
    assert "公司章程" in page and "氢能章程" not in page
    refused = send(client, "/messages/", "附上章程", document_id=str(foreign.id))
    assert refused.status_code == 422 and db.session.scalar(select(Message.id)) is None
    assert send(client, "/messages/", "附上章程", document_id=str(own.id)).status_code == 303
    message = db.session.scalar(select(Message))
    assert message.document_id == own.id
    for username in (gd.username, "clerk-ll"):
        download = login_as(username).get(f"/messages/files/{message.id}")
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
    with pytest.raises(services.MessagingError) as error:
        services.send_message(user=gd.account, enterprise_id=gd.enterprise.id, body="x", document=foreign)
    assert error.value.code == "document_not_yours" and error.value.status == 404


def test_a_message_may_be_tied_to_one_of_the_enterprises_cases(login_as, gd, qn):
    own = f.make_case(enterprise=gd.enterprise)
    foreign = f.make_case(enterprise=qn.enterprise)
    client = login_as(gd.username)
    assert send(client, "/messages/", "这个办件何时受理?", case_no=foreign.case_no).status_code == 422
    assert send(client, "/messages/", "这个办件何时受理?", case_no=own.case_no).status_code == 303
    page = login_as("clerk-ll").get(f"/messages/{gd.enterprise.id}").get_data(as_text=True)
    assert f'href="/cases/{own.case_no}"' in page


def test_without_a_clerk_the_enterprise_cannot_write(gd, login_as):
    choice = db.session.scalar(select(ClerkChoice).where(ClerkChoice.enterprise_id == gd.enterprise.id))
    choice.ended_at = utcnow()
    db.session.flush()
    client = login_as(gd.username)
    page = client.get("/messages/").get_data(as_text=True)
    assert "您还没有选择办事专员" in page
    response = send(client, "/messages/", "有人吗?")
    assert response.status_code == 422 and "选择后即可留言" in response.get_data(as_text=True)


def test_a_new_clerk_continues_the_conversation_with_its_history(login_as, gd):
    write(gd, 4)
    choice = db.session.scalar(select(ClerkChoice).where(ClerkChoice.enterprise_id == gd.enterprise.id))
    choice.ended_at = utcnow()
    db.session.flush()
    db.session.add(ClerkChoice(enterprise_id=gd.enterprise.id, clerk_id=f.user("clerk-qh").id))
    db.session.flush()
    new_clerk = login_as("clerk-qh")
    page = new_clerk.get(f"/messages/{gd.enterprise.id}").get_data(as_text=True)
    assert "第0条消息" in page and "第3条消息" in page and "办事专员 张丽" in page  # the old clerk's words stay
    assert send(new_clerk, f"/messages/{gd.enterprise.id}", "我是新的办事专员。").status_code == 303
    assert login_as("clerk-ll").get(f"/messages/{gd.enterprise.id}").status_code == 404
    assert "我是新的办事专员。" in login_as(gd.username).get("/messages/").get_data(as_text=True)
