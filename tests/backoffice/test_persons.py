"""Persons as applicants (issue 12, item 4): a bad 居民身份证 number refused, a good one accepted, stored masked."""

from __future__ import annotations

from sqlalchemy import select

from stations.cases.models import Case
from stations.enterprises.models import Enterprise, EnterpriseKind
from stations.enterprises.persons import InvalidIdNumber, mask_id_no, normalise_id_no
from stations.extensions import db
from tests.helpers.suite import csrf_token_from

GOOD_ID = "610402199001011238"  # fictional, valid check digit
BAD_ID = "610402199001011239"  # one digit off: the check digit fails


def _post(client, **data):
    token = csrf_token_from(client, "/persons/intake")
    form = {"csrf_token": token, "name": "王小明(虚构)", "phone": "13900000002", "item_code": _item_code(client)}
    form.update(data)
    return client.post("/persons/intake", data=form)


def _item_code(client) -> str:
    body = client.get("/persons/intake").get_data(as_text=True)
    import re

    return re.search(r'<option value="([^"]+)"', body).group(1)


def test_a_bad_id_number_is_refused_and_a_good_one_accepted(login_as):
    staff = login_as("staff-ll")
    before = db.session.scalar(select(db.func.count(Case.id)))
    refused = _post(staff, id_no=BAD_ID)
    assert refused.status_code == 422
    assert "居民身份证号码无效" in refused.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Case.id))) == before

    accepted = _post(staff, id_no=GOOD_ID, materials_checked="y")
    assert accepted.status_code == 303
    case_no = accepted.headers["Location"].rsplit("/", 1)[-1]
    case = db.session.scalar(select(Case).where(Case.case_no == case_no))
    person = case.enterprise
    assert person.kind is EnterpriseKind.PERSON and person.uscc is None
    assert person.id_no_masked == "610***********1238" and GOOD_ID not in (person.id_no_digest or "")
    page = staff.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "610***********1238" in page and GOOD_ID not in page

    again = _post(staff, id_no=GOOD_ID.lower())  # the same person is found again, not duplicated
    assert again.status_code == 303
    assert (
        db.session.scalar(select(db.func.count(Enterprise.id)).where(Enterprise.id_no_masked == person.id_no_masked))
        == 1
    )


def test_an_empty_name_or_an_unknown_item_is_a_clear_422(login_as):
    staff = login_as("staff-ll")
    assert _post(staff, id_no=GOOD_ID, name="").status_code == 422
    assert _post(staff, id_no=GOOD_ID, item_code="NOPE").status_code == 422


def test_the_demo_person_sees_their_own_cases(login_as, gd):
    staff = login_as("staff-ll")
    from stations.enterprises.demo_persons import DEMO_PERSON_ID_NO

    response = _post(staff, id_no=DEMO_PERSON_ID_NO, name="李华(虚构)")
    case_no = response.headers["Location"].rsplit("/", 1)[-1]
    person = login_as("person-demo")
    assert case_no in person.get("/persons/cases").get_data(as_text=True)
    assert person.get(f"/cases/{case_no}").status_code == 200
    assert case_no in [c["case_no"] for c in person.get("/api/v1/cases").get_json()["items"]]
    # ...and nobody's ID number on the public lookup
    assert DEMO_PERSON_ID_NO not in login_as(gd.username).get(f"/cases/{case_no}").get_data(as_text=True)


def test_id_number_rules():
    assert normalise_id_no(" 11010519491231002x ") == "11010519491231002X"
    assert mask_id_no("11010519491231002X") == "110***********002X"
    for bad in ("", "123", "110105194912310021", "110105194913310020"):
        try:
            normalise_id_no(bad)
        except InvalidIdNumber:
            continue
        raise AssertionError(bad)


def test_a_double_tap_on_the_person_intake_makes_one_case(login_as):
    staff = login_as("staff-ll")
    assert 'name="submission_key"' in staff.get("/persons/intake").get_data(as_text=True)
    before = db.session.scalar(select(db.func.count(Case.id)))
    first = _post(staff, id_no=GOOD_ID, submission_key="person-key-1")
    second = _post(staff, id_no=GOOD_ID, submission_key="person-key-1")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(db.func.count(Case.id))) == before + 1
