"""Persons apply online and have a clerk (issue 12, item 4): the API and the online application take a person
applicant (a 居民身份证 number, checked and stored masked), the person chooses a 办事专员, the clerk takes in for it."""

from __future__ import annotations

from sqlalchemy import select

from stations.auth.models import User
from stations.cases.intake import is_personal_item
from stations.cases.models import Case, Channel
from stations.cases.person_views import personal_items
from stations.domain.case_vocabulary import CaseStatus
from stations.enterprises.demo_persons import DEMO_PERSON_ID_NO
from stations.enterprises.models import Enterprise
from stations.extensions import db
from stations.sites.queries import get_station
from tests import factories as f
from tests.helpers.cases import text, token

GOOD_ID = "610402199001011238"  # fictional, valid check digit
BAD_ID = "610402199001011239"  # the check digit fails


def _online_personal_item(station: str = "LL"):
    return next(i for i in personal_items(get_station(station).id) if i.is_online)


def _enterprise_item(station: str = "LL"):
    """An online item of LL that is not a personal one (市场监管, 税务...)."""
    from stations.catalog.models import ServiceItem
    from stations.sites.models import ScopeMode, StationItem

    stmt = (
        select(ServiceItem)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .where(StationItem.station_id == get_station(station).id, StationItem.mode != ScopeMode.GUIDE)
        .order_by(ServiceItem.id)
    )
    return next(i for i in db.session.scalars(stmt) if i.is_online and not is_personal_item(i))


def _api_post(client, **body):
    return client.post("/api/v1/cases", json=body, headers={"X-CSRFToken": token(client)})


def _count() -> int:
    return db.session.scalar(select(db.func.count(Case.id)))


def test_the_person_applies_for_itself_through_the_api(login_as):
    item = _online_personal_item()
    person = login_as("person-demo")
    response = _api_post(person, item_code=item.code, station="LL")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    case = db.session.scalar(select(Case).where(Case.case_no == body["case_no"]))
    assert case.channel is Channel.ONLINE and case.status is CaseStatus.RECEIVED
    assert case.enterprise.id_no_masked == "610***********1232"
    assert DEMO_PERSON_ID_NO not in response.get_data(as_text=True)
    # naming oneself by number is the same; naming somebody else is refused
    assert _api_post(person, item_code=item.code, station="LL", applicant_id_no=DEMO_PERSON_ID_NO).status_code == 201


def test_a_person_is_refused_an_enterprise_item_and_a_bad_number(login_as):
    person = login_as("person-demo")
    before = _count()
    refused = _api_post(person, item_code=_enterprise_item().code, station="LL")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "not_personal_item"
    bad = _api_post(person, item_code=_online_personal_item().code, station="LL", applicant_id_no=BAD_ID)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_id_no"
    assert _count() == before


def test_staff_take_in_a_new_person_through_the_api_masked(login_as):
    item = personal_items(get_station("LL").id)[0]
    staff = login_as("staff-ll")
    both = _api_post(staff, item_code=item.code, station="LL", applicant_id_no=GOOD_ID, enterprise_uscc="x")
    assert both.status_code == 422 and both.get_json()["error"]["code"] == "applicant_required"
    assert _api_post(staff, item_code=item.code, station="LL").status_code == 422  # neither
    no_name = _api_post(staff, item_code=item.code, station="LL", applicant_id_no=GOOD_ID)
    assert no_name.get_json()["error"]["code"] == "applicant_name_required"
    made = _api_post(staff, item_code=item.code, station="LL", applicant_id_no=GOOD_ID, applicant_name="王小明(虚构)")
    assert made.status_code == 201, made.get_json()
    person = db.session.scalar(select(Enterprise).where(Enterprise.id_no_masked == "610***********1238"))
    assert person is not None and person.uscc is None
    assert GOOD_ID not in made.get_data(as_text=True)


def test_the_person_applies_on_the_online_application_page(login_as, gd):
    item = _online_personal_item()
    person = login_as("person-demo")
    assert f'item={item.code}"' in text(person.get(f"/enterprise/apply?q={item.code}"))
    other = _enterprise_item()
    assert f'item={other.code}"' not in text(person.get(f"/enterprise/apply?q={other.code}"))  # personal items only
    assert f'item={other.code}"' in text(login_as(gd.username).get(f"/enterprise/apply?q={other.code}"))
    person = login_as("person-demo")
    page = person.get(f"/enterprise/apply?item={item.code}")
    assert page.status_code == 200 and item.name in text(page)
    data = {"csrf_token": token(person), "item": item.code, "station": "LL", "applicant_name": "李华(虚构)"}
    data["applicant_phone"] = "13900000001"
    response = person.post("/enterprise/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, text(response)[:2000]
    case_no = response.headers["Location"].rsplit("/", 1)[-1]
    assert case_no in text(person.get("/persons/cases"))
    refused = dict(data, item=_enterprise_item().code, csrf_token=token(person))
    assert person.post("/enterprise/apply", data=refused, content_type="multipart/form-data").status_code == 422


def _choose(client, username: str):
    clerk_id = db.session.scalar(select(User.id).where(User.username == username))
    return client.post(f"/clerks/{clerk_id}/choose", data={"csrf_token": token(client)})


def _person_intake(client, id_no: str, item_code: str, **extra):
    form = {"csrf_token": token(client), "name": "李华(虚构)", "id_no": id_no, "item_code": item_code, **extra}
    return client.post("/persons/intake", data=form)


def test_a_person_chooses_a_clerk_who_then_takes_in_for_it(login_as):
    clerk = login_as("clerk-ll")
    item = personal_items(f.user("clerk-ll").station_id)[0]
    before = _count()
    refused = _person_intake(clerk, DEMO_PERSON_ID_NO, item.code)  # not (yet) its client
    assert refused.status_code == 422 and "办事专员" in text(refused)
    unknown = _person_intake(clerk, GOOD_ID, item.code)  # a clerk never registers a stranger
    assert unknown.status_code == 422 and "未找到该居民身份证号码的申请人" in text(unknown)
    assert _count() == before

    person = login_as("person-demo")
    assert person.get("/clerks/").status_code == 200
    assert _choose(person, "clerk-ll").status_code == 303
    taken = _person_intake(clerk, DEMO_PERSON_ID_NO, item.code, materials_checked="y")
    assert taken.status_code == 303, text(taken)[:1500]
    case_no = taken.headers["Location"].rsplit("/", 1)[-1]
    case = db.session.scalar(select(Case).where(Case.case_no == case_no))
    assert case.clerk_id == f.user("clerk-ll").id and case.enterprise.id_no_masked == "610***********1232"
    assert case_no in text(person.get("/persons/cases"))
    assert case_no in text(clerk.get(f"/cases/{case_no}"))
    home = text(clerk.get("/home"))  # the person is among the clerk's clients, masked
    assert "李华(虚构)" in home and DEMO_PERSON_ID_NO not in home
    station = f.user("clerk-ll").station.code
    by_api = _api_post(clerk, item_code=item.code, station=station, applicant_id_no=DEMO_PERSON_ID_NO)
    assert by_api.status_code == 201, by_api.get_json()  # the API takes in for the person client as well
    stranger = _api_post(clerk, item_code=item.code, station=station, applicant_id_no=GOOD_ID)
    assert stranger.status_code == 422 and stranger.get_json()["error"]["code"] == "unknown_person"


def test_the_same_person_application_posted_twice_makes_one_case(login_as):
    person = login_as("person-demo")
    headers = {"X-CSRFToken": token(person), "Idempotency-Key": "person-app-0001"}
    body = {"item_code": _online_personal_item().code, "station": "LL"}
    before = _count()
    first = person.post("/api/v1/cases", json=body, headers=headers)
    again = person.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["case_no"] == first.get_json()["case_no"]
    assert _count() == before + 1
