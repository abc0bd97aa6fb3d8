"""The enterprise's home: only its cases, newest first, a list that polls while a case is open and answers
unchanged polls cheaply (ETag / 304), stops polling (286) once nothing is open, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from stations.cases import services
from stations.cases.services import EventInput
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.timeutil import utcnow
from tests import factories as f
from tests.helpers.cases import rongque_case, text
from tests.helpers.enterprises import HOME_TARGET
from tests.helpers.suite import htmx_headers

POLL = htmx_headers(HOME_TARGET)


def withdraw(case, owner: f.Client) -> None:
    services.apply_event(case, CaseEvent.WITHDRAW, owner.account, version=case.version, data=EventInput())


def test_home_lists_only_the_enterprises_own_cases_newest_first(login_as, gd):
    older = f.make_case(enterprise=gd.enterprise, now=utcnow() - timedelta(days=2))
    newer = f.make_case(enterprise=gd.enterprise)
    qn = f.make_client(station_code="QH")
    other = f.make_case(by="staff-qh", station_code="QH", enterprise=qn.enterprise)
    body = text(login_as(gd.username).get("/home"))
    assert older.case_no in body and newer.case_no in body
    assert other.case_no not in body
    assert body.index(newer.case_no) < body.index(older.case_no)
    assert "已收件" in body and "badge-GREEN" in body  # status label and colour
    assert 'href="/enterprise/apply"' in body and 'href="/enterprise/documents"' in body and 'href="/clerks/"' in body
    qn_body = text(login_as(qn.username).get("/home"))
    assert other.case_no in qn_body and newer.case_no not in qn_body


def test_home_shows_what_the_enterprise_owes_and_its_clerk(login_as, gd):
    case = rongque_case(enterprise=gd.enterprise)
    body = text(login_as(gd.username).get("/home"))
    owed = len(case.deficiencies)
    assert f"补交 {owed} 份材料" in body
    assert "我的办事专员" in body and "办事专员 张丽" in body  # clerk-ll, gd's clerk


def test_the_list_polls_while_a_case_is_open(login_as, gd):
    f.make_case(enterprise=gd.enterprise)
    page = login_as(gd.username).get("/home")
    body = text(page)
    assert 'hx-trigger="every 20s, click"' in body and "data-poll-visible" in body
    assert """hx-headers='{"X-Poll": "1"}'""" in body  # polling is not activity for the idle timeout
    assert 'hx-target="#enterprise-cases"' in body and 'id="enterprise-cases"' in body
    fragment = login_as(gd.username).get("/home", headers=POLL)
    assert fragment.status_code == 200
    assert "<html" not in text(fragment) and "data-poll-visible" in text(fragment)
    assert {"HX-Request", "HX-Target"} <= {v.strip() for v in fragment.headers["Vary"].split(",")}
    assert fragment.headers["Cache-Control"] == "private, no-cache"  # the browser revalidates every poll


@pytest.mark.parametrize(
    ("reuse", "statements"),
    [
        # The poll before was kept (web/render_cache.py) and nothing has changed since: the change stamp alone, the
        # worker holding the user's row under that same stamp (auth/user_snapshots.py).
        (True, ["FROM change_stamps"]),
        # The view itself: the session's user, then its one query of counts and latest change.
        (False, ["FROM users", "count(cases.id)"]),
    ],
)
def test_unchanged_poll_is_a_304_after_one_query(app, login_as, count_queries, gd, monkeypatch, reuse, statements):
    monkeypatch.setitem(app.config, "RENDER_CACHE_ENABLED", reuse)
    f.make_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    # The test made gd's account in this very session: forget it, so the requests load their user as in production.
    db.session.expunge_all()
    first = client.get("/home", headers=POLL)
    etag = first.headers["ETag"]
    db.session.expunge_all()
    with count_queries(reuse=reuse) as counter:
        again = client.get("/home", headers={**POLL, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert counter.count == len(statements), counter.statements
    assert all(part in sql for part, sql in zip(statements, counter.statements, strict=True))
    assert ("change_stamps" in counter.statements[0]) is reuse


def test_a_change_makes_the_poll_send_the_new_list(login_as, gd):
    case = f.make_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    etag = client.get("/home", headers=POLL).headers["ETag"]
    services.apply_event(case, CaseEvent.ACCEPT, f.user("staff-ll"), version=case.version, data=EventInput())
    changed = client.get("/home", headers={**POLL, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "已受理" in text(changed)


def test_supplying_a_material_changes_the_etag_too(login_as, uploads, gd):
    """A 容缺 supply does not touch the case row; the list's "补交 n 份材料" must still update."""
    from tests.helpers.enterprises import stored_document

    case = rongque_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    etag = client.get("/home", headers=POLL).headers["ETag"]
    document = stored_document(case.deficiencies[0].case_material.item_material.name, owner=gd)
    services.supply_deficiency(case.deficiencies[0], gd.account, document=document)
    assert client.get("/home", headers={**POLL, "If-None-Match": etag}).status_code == 200


def test_etags_differ_per_variant_and_the_page_is_never_a_304(login_as, gd):
    f.make_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    page = client.get("/home")
    fragment = client.get("/home", headers=POLL)
    assert page.headers["ETag"] != fragment.headers["ETag"]
    assert "no-store" in page.headers["Cache-Control"]  # the page (bell, flash, CSRF token) is never cached
    assert client.get("/home", headers={"If-None-Match": page.headers["ETag"]}).status_code == 200
    assert client.get("/home", headers={**POLL, "If-None-Match": page.headers["ETag"]}).status_code == 200
    english = client.get("/home?lang=en", headers=POLL)
    assert english.headers["ETag"] != fragment.headers["ETag"]


def test_poll_answers_286_without_polling_once_nothing_is_open(login_as, gd):
    case = f.make_case(enterprise=gd.enterprise)
    client = login_as(gd.username)
    etag = client.get("/home", headers=POLL).headers["ETag"]
    withdraw(case, gd)
    final = client.get("/home", headers={**POLL, "If-None-Match": etag})
    assert final.status_code == 286
    body = text(final)
    assert case.case_no in body and "已撤件" in body  # the final state is swapped in
    assert "hx-trigger" not in body and "data-poll-visible" not in body  # and nothing polls again
    page = text(client.get("/home"))
    assert "every 20s" not in page  # a page with nothing open does not poll at all


def test_poll_with_no_case_at_all_stops_too(login_as, gd):
    response = login_as(gd.username).get("/home", headers=POLL)
    assert response.status_code == 286
    assert "您还没有办件" in text(response)


def _poll_queries(client, count_queries) -> int:
    client.get("/home", headers=POLL)  # warm the working-day calendar cache
    with count_queries() as counter:
        response = client.get("/home", headers=POLL)
    assert response.status_code == 200
    return counter.count


def test_poll_queries_do_not_grow_with_the_number_of_cases(login_as, count_queries, gd):
    client = login_as(gd.username)
    cases = [f.make_case(enterprise=gd.enterprise) for _ in range(2)]
    services.apply_event(cases[0], CaseEvent.ACCEPT, f.user("staff-ll"), version=cases[0].version, data=EventInput())
    with_two = _poll_queries(client, count_queries)
    more = [f.make_case(enterprise=gd.enterprise) for _ in range(28)]
    for case in more[:10]:
        services.apply_event(case, CaseEvent.ACCEPT, f.user("staff-ll"), version=case.version, data=EventInput())
    with_thirty = _poll_queries(client, count_queries)
    assert with_two == with_thirty <= 6
    page = text(client.get("/home", headers=POLL))
    assert len(re.findall(r'<tr id="my-case-', page)) == 20  # one page of 20, with a pager
    assert "下一页" in page


def test_full_page_queries_do_not_grow_with_the_number_of_cases(login_as, count_queries, gd):
    client = login_as(gd.username)
    for _ in range(2):
        f.make_case(enterprise=gd.enterprise)
    client.get("/home")
    with count_queries() as two:
        client.get("/home")
    for _ in range(28):
        f.make_case(enterprise=gd.enterprise)
    with count_queries() as thirty:
        client.get("/home")
    assert two.count == thirty.count <= 10


def test_the_second_page_polls_itself(login_as, gd):
    for _ in range(21):
        f.make_case(enterprise=gd.enterprise)
    db.session.flush()
    body = text(login_as(gd.username).get("/home?page=2", headers=POLL))
    assert 'hx-get="/home?page=2"' in body
    assert len(re.findall(r'<tr id="my-case-', body)) == 1
