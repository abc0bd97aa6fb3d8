"""Who may reach a case: outsiders get 404 (existence is not revealed), anonymous users the login page.

The case is the test's own client's (the ``gd`` fixture, at LL like the demo's ent-gd), received at LL: staff-ll,
clerk-ll (its clerk), its enterprise account, the central office and the administrator may see it; staff-qh (another station), ent-qn (another enterprise), clerk-qh (another clerk) may not.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.cases import case_with_file, rongque_case, text, token
from tests.helpers.suite import CLIENT, OTHER_CLIENT, csrf_token_from, username_of

OUTSIDERS = ("staff-qh", OTHER_CLIENT, "clerk-qh")
INSIDERS = ("staff-ll", "clerk-ll", CLIENT, "central", "admin")


@pytest.fixture
def case_and_file(app, tmp_path, monkeypatch, gd):
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))  # not the repository's instance/
    case, stored = case_with_file(enterprise=gd.enterprise)
    return case, stored


def urls(case, stored) -> dict[str, str]:
    return {
        "page": f"/cases/{case.case_no}",
        "file": f"/cases/{case.case_no}/files/{stored.id}",
        "receipt": f"/cases/{case.case_no}/receipt",
    }


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_404_for_the_case_its_files_and_its_receipt(login_as, case_and_file, username, gd, qn):
    case, stored = case_and_file
    client = login_as(username_of(username, gd, qn))
    for what, url in urls(case, stored).items():
        response = client.get(url)
        assert response.status_code == 404, (username, what)
        assert case.enterprise.name not in text(response)
    unknown = client.get("/cases/JHLL209901010001")
    assert unknown.status_code == 404
    hidden = text(client.get(f"/cases/{case.case_no}")).replace(case.case_no, "<NO>")
    assert text(unknown).replace("JHLL209901010001", "<NO>") == hidden  # a hidden case looks like a missing one


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_404_for_the_case_actions(login_as, username, gd, qn):
    case = rongque_case(enterprise=gd.enterprise)
    client = login_as(username_of(username, gd, qn))
    csrf = token(client)
    version = str(case.version)
    posts = [
        (f"/cases/{case.case_no}/events/start_review", {"version": version}),
        (f"/cases/{case.case_no}/deficiencies/{case.deficiencies[0].id}/supply", {}),
        (f"/cases/{case.case_no}/deficiencies/{case.deficiencies[0].id}/verify", {}),
        (f"/cases/{case.case_no}/deficiencies/{case.deficiencies[0].id}/reject", {}),
    ]
    for url, data in posts:
        assert client.post(url, data={"csrf_token": csrf, **data}).status_code == 404, (username, url)


@pytest.mark.parametrize("username", INSIDERS)
def test_insiders_see_the_case_and_its_files(login_as, case_and_file, username, gd):
    case, stored = case_and_file
    client = login_as(username_of(username, gd))
    assert client.get(f"/cases/{case.case_no}").status_code == 200
    assert client.get(f"/cases/{case.case_no}/files/{stored.id}").status_code == 200
    expected_receipt = 403 if username == "central" else 200  # the read-only office does not print receipts
    assert client.get(f"/cases/{case.case_no}/receipt").status_code == expected_receipt


def test_anonymous_users_are_sent_to_login_whether_or_not_the_case_exists(client, case_and_file):
    case, stored = case_and_file
    for url in [*urls(case, stored).values(), "/cases/JHLL209901010001", "/cases/", "/cases/ledger", "/cases/new"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    csrf = csrf_token_from(client, "/login")
    response = client.post(f"/cases/{case.case_no}/events/accept", data={"csrf_token": csrf, "version": "1"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_central_office_may_not_act(login_as):
    case = rongque_case()
    client = login_as("central")
    csrf = token(client)
    event = client.post(f"/cases/{case.case_no}/events/start_review", data={"csrf_token": csrf, "version": "2"})
    assert event.status_code == 403
    verify = client.post(
        f"/cases/{case.case_no}/deficiencies/{case.deficiencies[0].id}/verify", data={"csrf_token": csrf}
    )
    assert verify.status_code == 403


CASE_NO_RE = re.compile(r"JH[A-Z0-9]{2,3}\d{12}")


def test_lists_never_show_another_scope(login_as, gd, qn):
    ll = rongque_case(enterprise=gd.enterprise)
    qh = rongque_case(by="staff-qh", station_code="QH", enterprise=qn.enterprise)
    for username, mine, theirs in (
        ("staff-ll", ll, qh),
        ("staff-qh", qh, ll),
        ("clerk-qh", qh, ll),
        ("clerk-ll", ll, qh),
    ):
        client = login_as(username)
        for url in ("/cases/", "/cases/ledger", "/home"):
            seen = set(CASE_NO_RE.findall(text(client.get(url))))
            assert mine.case_no in seen, (username, url)
            assert theirs.case_no not in seen, (username, url)
