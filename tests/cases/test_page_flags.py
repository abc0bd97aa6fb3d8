"""The case pages' role-dependent parts read flags computed in Python (architecture.md §6): the queue's 收件 button
follows the intake page's guard, the intake's station choice the clerk's rule, and the applicant's variant of the
case page its own flag."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from stations.auth.models import Role
from stations.cases import intake_views
from stations.cases.presenters import applicant_view
from stations.cases.queue_views import may_take_in
from tests import factories as f
from tests.helpers.cases import rongque_case, text
from tests.helpers.enterprises import stored_document

INTAKE_BUTTON = '<a class="btn btn-primary" href="/cases/new">'
STATION_CHOICE = 'id="intake-station"'
QUEUE_BREADCRUMB = '<p class="breadcrumb"><a href="/cases/">'
GUIDE = 'class="card applicant-guide"'
OWN_STORE, ENTERPRISE_STORE = "从我的材料库选择", "从企业材料库选择"


@pytest.mark.parametrize("role", list(Role))
def test_the_intake_button_is_the_intake_pages_guard(role):
    user = SimpleNamespace(role=role)
    assert may_take_in(user) is (role in intake_views.new.allowed_roles)
    assert may_take_in(user) is (role in (Role.STAFF, Role.CLERK))


@pytest.mark.parametrize(
    ("username", "takes_in"), [("staff-ll", True), ("clerk-ll", True), ("central", False), ("admin", False)]
)
def test_who_sees_the_intake_button_may_open_the_intake(login_as, username, takes_in):
    client = login_as(username)
    queue = client.get("/cases/")
    assert queue.status_code == 200
    assert (INTAKE_BUTTON in text(queue)) is takes_in
    assert client.get("/cases/new").status_code == (200 if takes_in else 403)


def test_the_clerk_picks_the_intake_station(login_as):
    page = text(login_as("clerk-ll").get("/cases/new?station=QH"))
    assert STATION_CHOICE in page and '<option value="QH" selected>' in page


def test_the_staff_take_in_at_their_own_station(login_as):
    page = text(login_as("staff-ll").get("/cases/new?station=QH"))
    assert STATION_CHOICE not in page
    assert f'<p class="chosen"><strong>{f.station("LL").name}</strong></p>' in page


@pytest.mark.parametrize("role", list(Role))
def test_the_applicant_view_is_the_applicants(role):
    assert applicant_view(SimpleNamespace(role=role)) is (role in (Role.ENTERPRISE, Role.PERSON))


def _person_demo() -> f.Client:
    """The demo person (群众) as the owner of a case: its person record stands where a client's enterprise does."""
    account = f.user("person-demo")
    return f.Client(enterprise=account.enterprise, account=account, clerk=None)


@pytest.mark.parametrize(
    ("who", "applicant", "store_label"),
    [
        ("the client", True, OWN_STORE),
        ("person-demo", True, OWN_STORE),  # once the staff's variant, with a breadcrumb to a queue that refuses them
        ("staff-ll", False, ENTERPRISE_STORE),
        ("clerk-ll", False, ENTERPRISE_STORE),
        ("admin", False, None),  # no supply form: the administrator does not hand in material
        ("central", False, None),
    ],
)
def test_the_case_page_speaks_to_its_enterprise_in_its_own_words(login_as, uploads, who, applicant, store_label):
    owner = _person_demo() if who == "person-demo" else f.make_client()
    case = rongque_case(enterprise=owner.enterprise)
    stored_document(case.deficiencies[0].case_material.item_material.name, owner=owner)
    page = text(login_as(owner.username if who in ("the client", "person-demo") else who).get(f"/cases/{case.case_no}"))
    assert (QUEUE_BREADCRUMB in page) is not applicant  # the enterprise has no queue to go back to
    assert (GUIDE in page) is applicant
    labels = {label for label in (OWN_STORE, ENTERPRISE_STORE) if label in page}
    assert labels == ({store_label} if store_label else set())
