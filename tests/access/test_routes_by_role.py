"""Every route has an explicit access policy, checked for anonymous visitors and every role.

Each role signs in as its demo account (contract.md) except the enterprise, which is a client of the test's own
(``the_client()``: at LL, a client of clerk-ll, as the demo's ent-gd is); the cases, orders, meetings and appeals in
the URLs are that client's, made in the test's transaction.

security.md Z1 (no route public by accident), Z4 (wrong role refused, central office read-only on
the admin pages), S8 (the logout form on every page a signed-in user sees).

HOW TO ADD A ROUTE (one line in ROUTES below, keyed by endpoint name):

    "cases.show":   only(STAFF, CLERK, ENTERPRISE, CENTRAL, ADMIN, args={"case_no": "..."}),
    "dashboard.index": only(CENTRAL, ADMIN),
    "track.lookup": public(),
    "account.x":    signed_in(),

- ``public()``: everyone gets 200; ``signed_in()``: anonymous is sent to /login, every role gets 200;
  ``only(ROLE, ...)``: anonymous is sent to /login, the listed roles get 200, the others 403.
- ``args=`` fills the URL's variables (a callable is called with no arguments inside the test, for ids
  looked up in the demo data); ``query=`` adds a query string.
- ``get={IDENTITY: status}`` overrides single cells (for example a redirect: ``get={ANON: 302}``);
  ``LOGIN`` means "302 to the login page". Identities: ANON, ADMIN, CENTRAL, STAFF, CLERK, ENTERPRISE.
- ``html=False`` for JSON and files (no logout form to look for); ``anonymous=401`` for the JSON API,
  which answers 401 instead of redirecting to the login page.
- For a route that accepts POST, the refused identities also POST (with a valid CSRF token, empty body)
  and must get the same refusal (403, or the login redirect): the allowed ones are not exercised here.
  ``post=False`` skips that (public POST routes such as /login are skipped automatically).

The sweep FAILS when the app has an endpoint that this table does not list, or the table lists
one the app no longer has: a new route needs a deliberate policy line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from stations.auth.models import User
from stations.catalog.models import ServiceItem
from stations.demo import DEMO_PASSWORD
from stations.extensions import db
from stations.sites.models import Station, StationItem
from tests.factories import Client
from tests.helpers.suite import AuthActions, csrf_token_from

ANON, ADMIN, CENTRAL, STAFF, CLERK, ENTERPRISE = "anonymous", "admin", "central", "staff", "clerk", "enterprise"
DEPARTMENT, COMMISSIONER, PERSON = "department", "commissioner", "person"
ROLES = (ADMIN, CENTRAL, STAFF, CLERK, ENTERPRISE, DEPARTMENT, COMMISSIONER, PERSON)
IDENTITIES = (ANON, *ROLES)
# The demo account that stands for each identity (contract.md); the enterprise is the test's own client.
ACCOUNTS = {
    ADMIN: "admin",
    CENTRAL: "central",
    STAFF: "staff-ll",
    CLERK: "clerk-ll",
    DEPARTMENT: "dept-rs",
    COMMISSIONER: "comm-ll",
    PERSON: "person-demo",
}
MATRIX_CLIENT = "访问矩阵测试客户科技有限公司"


def the_client() -> Client:
    """The ENTERPRISE identity: a client of the test's own (at LL, a client of clerk-ll, as ``f.make_client()`` makes
    one), made in the test's transaction on first use and found again by its name (so tests of other modules that
    build these URLs need no fixture)."""
    from stations.enterprises.models import Enterprise
    from tests import factories as f

    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.name == MATRIX_CLIENT))
    if enterprise is None:
        return f.make_client(name=MATRIX_CLIENT)
    account = db.session.scalar(select(User).where(User.enterprise_id == enterprise.id).order_by(User.id))
    return Client(enterprise=enterprise, account=account, clerk=f.user("clerk-ll"))


def account_of(identity: str) -> str:
    return the_client().username if identity == ENTERPRISE else ACCOUNTS[identity]


LOGIN = "login"
CASE_OUTSIDERS = frozenset({DEPARTMENT, COMMISSIONER, PERSON})  # the table's demo case is outside their scope


@dataclass(frozen=True)
class Route:
    allowed: frozenset[str] | None  # None: public
    args: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    get: Mapping[str, int | str] = field(default_factory=dict)
    html: bool = True
    post: bool = True
    anonymous: int | str = LOGIN  # what a visitor who is not signed in gets (the JSON API answers 401)
    # Signed-in identities for whom the object in the URL does not exist (another scope): 404 for GET and POST.
    not_found: frozenset[str] = frozenset()

    def expected_get(self, identity: str) -> int | str:
        if identity in self.get:
            return self.get[identity]
        if identity in self.not_found:
            return 404
        if self.allowed is None:
            return 200
        if identity == ANON:
            return self.anonymous
        return 200 if identity in self.allowed else 403

    def expected_post_refusal(self, identity: str) -> int | str | None:
        """What a refused identity gets for a POST, or None when it is allowed (not exercised)."""
        if self.allowed is None or not self.post:
            return None
        if identity == ANON:
            return self.anonymous
        if identity in self.not_found:
            return 404
        return None if identity in self.allowed else 403


def public(**kwargs) -> Route:
    return Route(None, **kwargs)


def signed_in(**kwargs) -> Route:
    return Route(frozenset(ROLES), **kwargs)


def only(*roles: str, **kwargs) -> Route:
    assert set(roles) <= set(ROLES), roles
    return Route(frozenset(roles), **kwargs)


# --- demo arguments, looked up when a test runs -------------------------------------------------


def user_id(username: str) -> Callable[[], int]:
    return lambda: db.session.scalar(select(User.id).where(User.username == username))


def item_code() -> str:
    return db.session.scalar(select(ServiceItem.code).order_by(ServiceItem.code).limit(1))


def item_in_scope_of(station: str) -> Callable[[], str]:
    return lambda: db.session.scalar(
        select(ServiceItem.code)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == station)
        .order_by(ServiceItem.code)
        .limit(1)
    )


def demo_rongque_case():
    """A 容缺 case of the test's client at LL, visible to staff-ll, clerk-ll, the client, central and admin.

    Made inside the test's transaction the first time a URL asks for it, found again by the next argument.
    """
    from stations.cases.models import Case, Deficiency
    from tests.helpers.cases import rongque_case

    enterprise = the_client().enterprise
    found = db.session.scalars(
        select(Deficiency)
        .join(Case, Case.id == Deficiency.case_id)
        .join(Station, Station.id == Case.station_id)
        .where(Station.code == "LL", Case.enterprise_id == enterprise.id)
        .limit(1)
    ).first()
    return found.case if found else rongque_case(enterprise=enterprise)


def bundle_no() -> str:
    """A 员工入职一件事 of the test's client taken in at LL (no materials), made in the test's transaction when first
    asked."""
    from stations.bundles import queries as bundle_queries
    from stations.bundles import services as bundle_services
    from stations.bundles.models import BundleCase
    from stations.cases.models import Channel
    from tests import factories as f

    found = db.session.scalar(select(BundleCase.bundle_no).where(BundleCase.station_id == f.station("LL").id).limit(1))
    if found:
        return found
    made = bundle_services.apply(
        bundle_queries.get_bundle("XC-YGRZ"),
        user=f.user("staff-ll"),
        station=f.station("LL"),
        enterprise=the_client().enterprise,
        channel=Channel.STATION,
        applicant_name="访问测试",
    )
    return made.bundle_no


def ll_project_code() -> str:
    """A demo key project of the LL park (comm-ll's); dept-kf sees it (用地 is its procedure), dept-rs does not."""
    from stations.projects.models import Project

    return db.session.scalar(
        select(Project.code).join(Station, Station.id == Project.station_id).where(Station.code == "LL").limit(1)
    )


def ll_procedure_id() -> int:
    from stations.projects.models import Project, ProjectProcedure

    return db.session.scalar(
        select(ProjectProcedure.id).join(Project).where(Project.code == ll_project_code()).limit(1)
    )


def demo_appeal_no() -> str:
    """An appeal of the test's client at LL in progress at 住房公积金 (as the demo's of domain.md §6.5): outside
    dept-rs's scope (人社). Made in the test's transaction when first asked."""
    from stations.appeals.models import Appeal, Category, Nature, SourceChannel
    from stations.appeals.services import EventInput, RegisterInput, apply_event, register
    from stations.catalog.models import Department
    from stations.domain.appeal_flow import Actor, AppealEvent, Urgency
    from tests import factories as f

    found = db.session.scalar(select(Appeal.appeal_no).where(Appeal.description == "access-sweep"))
    if found:
        return found
    appeal = register(
        RegisterInput(
            source_channel=SourceChannel.PHONE,
            category=Category.GOV_SERVICE,
            nature=Nature.HELP,
            urgency=Urgency.URGENT,
            description="access-sweep",
            enterprise=the_client().enterprise,
        ),
        f.user("staff-ll"),
    )
    housing_fund = db.session.scalar(select(Department.id).where(Department.code == "GJJ"))
    assign = EventInput(event=AppealEvent.ASSIGN, department_id=housing_fund, due_on=appeal.due_on)
    apply_event(appeal, assign, f.user("admin"), Actor.SUPERVISOR)
    apply_event(appeal, EventInput(event=AppealEvent.SIGN), None, Actor.DEPARTMENT)
    apply_event(appeal, EventInput(event=AppealEvent.FIRST_CONTACT), None, Actor.DEPARTMENT)
    return appeal.appeal_no


def case_no() -> str:
    return demo_rongque_case().case_no


def deficiency_id() -> int:
    return demo_rongque_case().deficiencies[0].id


def material_id() -> int:
    return demo_rongque_case().materials[0].id


def rectification_id() -> int:
    """A rectification of a 差评 of a new client on a case delivered at LL (staff-ll's station), made on first use."""
    from stations.ratings.models import Rectification
    from tests.helpers.ratings import bad_rating

    found = db.session.scalars(
        select(Rectification.id).join(Station, Station.id == Rectification.station_id).where(Station.code == "LL")
    ).first()
    return found or bad_rating().rectification.id


def xr_partner_id(code: str) -> int:
    from stations.crossregion.models import PartnerRegion

    return db.session.scalar(select(PartnerRegion.id).where(PartnerRegion.code == code))


def xr_item_id() -> int:
    """A demo agreement item of GL (stations/crossregion/demo_partners.py)."""
    from stations.crossregion.models import PartnerItem

    return db.session.scalar(select(PartnerItem.id).where(PartnerItem.partner_id == xr_partner_id("GL")).limit(1))


def xr_key_id() -> int:
    from stations.crossregion.models import PartnerKey

    return db.session.scalar(select(PartnerKey.id).where(PartnerKey.partner_id == xr_partner_id("GL")).limit(1))


def demo_meeting_no() -> str:
    """A scheduled meeting of the test's client (LL) routed to 人社 (dept-rs's department): every role sees it."""
    from stations.meetings.models import Meeting
    from tests.helpers.meetings import scheduled

    found = db.session.scalar(select(Meeting.meeting_no).where(Meeting.topic == "access-sweep"))
    return found or scheduled(code="SB", topic="access-sweep", owner=the_client()).meeting_no


def demo_order_no() -> str:
    """A 政务外卖 order of the test's client at LL: staff-ll, clerk-ll (its clerk), central and admin see it."""
    from stations.takeout.models import Order
    from tests.helpers.takeout import placed

    found = db.session.scalar(select(Order.order_no).where(Order.custom_request == "access-sweep"))
    return found or placed(the_client(), custom_request="access-sweep").order_no


def demo_session_id() -> int:
    """An upcoming demo 政策宣讲 session in which the test's client holds a confirmed seat (as the demo's ent-gd does,
    stations/meetings/demo.py)."""
    from stations.meetings import policy_services
    from stations.meetings.policy_models import PolicySession

    session_id = db.session.scalar(select(PolicySession.id).where(PolicySession.title.contains("人才政策")))
    policy_services.sign_up(session_id, the_client().account)  # signing up again changes nothing
    return session_id


SIGNED_IN_REDIRECT = {role: 302 for role in ROLES}

# fmt: off
ROUTES: dict[str, Route] = {
    # --- public pages, files and health ---
    "static":                    public(args={"filename": "css/app.css"}, html=False),
    "health.healthz":            public(html=False),
    "home.index":                public(get={ANON: 302, **SIGNED_IN_REDIRECT}),   # to the catalogue / the role's home
    "catalog.index":             public(),
    "catalog.item":              public(args={"code": item_code}),
    "catalog.metrics":           public(),
    "sites.index":               public(),
    "sites.show":                public(args={"code": "LL"}),
    "api.stations":              public(html=False),
    "api.catalog":               public(html=False),
    "api.catalog_metrics":       public(html=False),
    # --- JSON API v1, signed in (contract.md: 401 without a session or token; no case with this number) ---
    "api.list_cases":            signed_in(anonymous=401, html=False),
    "api.get_case":              signed_in(anonymous=401, html=False, args={"case_no": "NO-SUCH-CASE"},
                                           get={role: 404 for role in ROLES}),
    "api.create_case":           only(STAFF, CLERK, ENTERPRISE, PERSON, anonymous=401, html=False),  # persons: issue 12
    "api.post_event":            signed_in(anonymous=401, html=False, args={"case_no": "NO-SUCH-CASE"}),
    # --- accounts ---
    "auth.login":                public(get=SIGNED_IN_REDIRECT),                  # signed in: sent home
    "auth.logout":               signed_in(),                                      # POST only
    "auth.change_password":      signed_in(),
    # the second factor (issue 20): the code page sends anyone not half-signed-in home; enrolment is for everyone
    "mfa.verify":                signed_in(get={role: 302 for role in ROLES}),
    "mfa.enrol":                 signed_in(),
    "ops.metrics":               only(ADMIN, html=False, anonymous=404, get={r: 404 for r in ROLES if r != ADMIN}),
    "jobs.index":                only(ADMIN),
    "jobs.run_now":              only(ADMIN),                                       # POST only
    "mfa.reset":                 only(ADMIN, args={"user_id": user_id("staff-ll")}),   # POST only
    "home.mine":                 signed_in(get={ADMIN: 302}),                      # the administrator's home is /admin/
    # --- administration ---
    "admin.index":               only(ADMIN),
    "admin.users":               only(ADMIN),
    "admin.user_new":            only(ADMIN),
    "admin.user_edit":           only(ADMIN, args={"user_id": user_id("staff-qh")}),
    "admin.user_reset_password": only(ADMIN, args={"user_id": user_id("staff-qh")}),
    "admin.user_unlock":         only(ADMIN, args={"user_id": user_id("staff-qh")}),
    "admin.user_disable":        only(ADMIN, args={"user_id": user_id("staff-qh")}),
    "admin.stations":            only(ADMIN),
    "admin.scope":               only(ADMIN, args={"code": "LL"}),
    "admin.scope_add":           only(ADMIN, args={"code": "LL"}),
    "admin.scope_remove":        only(ADMIN, args={"code": "LL", "item_code": item_in_scope_of("LL")}),
    "admin.scope_mode":          only(ADMIN, args={"code": "LL", "item_code": item_in_scope_of("LL")}),
    "admin.calendar":            only(ADMIN),
    "admin.calendar_toggle":     only(ADMIN),
    "admin.calendar_day":        only(ADMIN),
    "admin.calendar_load":       only(ADMIN),
    "admin.officials":           only(ADMIN),                                      # 约见对象 (issue 14)
    "admin.official_add":        only(ADMIN),                                      # POST /admin/officials
    "admin.official_edit":       only(ADMIN, args={"official_id": 1}),             # POST only
    "admin.official_active":     only(ADMIN, args={"official_id": 1}),             # POST only
    # --- cross-region (issue 5): administrator pages; the federation endpoint is signed, not session-based ---
    "crossregion_admin.partners": only(ADMIN),
    "crossregion_admin.outbox":   only(ADMIN),
    "crossregion_admin.retry":    only(ADMIN, args={"message_id": "no-such-message"}),
    "crossregion_admin.inbox":    only(ADMIN),
    "crossregion_admin.partner_new":  only(ADMIN),
    "crossregion_admin.partner_edit": only(ADMIN, args={"partner_id": lambda: xr_partner_id("GL")}),
    "crossregion_admin.item_add":     only(ADMIN, args={"partner_id": lambda: xr_partner_id("GL")}),  # POST only
    "crossregion_admin.item_remove":  only(ADMIN, args={"partner_id": lambda: xr_partner_id("GL"), "row_id": xr_item_id}),
    "crossregion_admin.key_add":      only(ADMIN, args={"partner_id": lambda: xr_partner_id("GL")}),  # POST only
    "crossregion_admin.key_retire":   only(ADMIN, args={"partner_id": lambda: xr_partner_id("GL"), "key_row_id": xr_key_id}),
    "federation.receive":         public(html=False),                               # POST only: 401 unsigned
    # --- cases (web): outsiders of a case get 404 (the case is LL's for the test's client: neither dept-rs's nor comm-ll's) (tests/access/test_case_access.py); here, the roles ---
    "cases.index":               only(STAFF, CLERK, CENTRAL, ADMIN),               # the queue (staff/clerk home)
    "backoffice.queue":          only(DEPARTMENT),                                 # the department queue (issue 12)
    "catalog_admin.index":       only(ADMIN),                                      # the catalogue as xlsx (issue 12)
    "catalog_admin.export":      only(ADMIN, html=False),
    "catalog_admin.import_file": only(ADMIN),
    "catalog_admin.item_new":    only(ADMIN),
    "catalog_admin.item_edit":   only(ADMIN, args={"code": "XK-SCJG-0001"}),
    "person_cases.intake":       only(STAFF, CLERK),                               # a person's intake (issue 12)
    "person_cases.intake_create": only(STAFF, CLERK),                              # clerk: for its clients
    "person_cases.mine":         only(PERSON),
    "xr_manual.manual":          only(STAFF, args={"case_no": case_no}, not_found=CASE_OUTSIDERS),  # manual cross-region (issue 12)
    "xr_manual.manual_forward":  only(STAFF, args={"case_no": case_no}, not_found=CASE_OUTSIDERS),
    "xr_manual.manual_step":     only(STAFF, args={"case_no": case_no}, not_found=CASE_OUTSIDERS),
    "xr_manual.public_items":    public(),
    "cases.ledger":              only(STAFF, CLERK, CENTRAL, ADMIN),
    "cases.first_handlers":      only(STAFF, CLERK, CENTRAL, ADMIN),
    "cases.new":                 only(STAFF, CLERK),                                # intake
    "cases.create":              only(STAFF, CLERK),
    "cases.register_enterprise": only(STAFF),                                       # POST only
    "cases.show":                signed_in(args={"case_no": case_no}, not_found=CASE_OUTSIDERS),
    "cases.receipt":             only(STAFF, CLERK, ENTERPRISE, ADMIN, args={"case_no": case_no}, not_found=CASE_OUTSIDERS),
    "cases.file":                signed_in(args={"case_no": case_no, "file_id": 0}, html=False,
                                           get={role: 404 for role in ROLES}),      # no such file on this case
    # POST only; the central office is read-only (403); a case of another scope is a 404
    "cases.event":               only(STAFF, CLERK, ENTERPRISE, ADMIN, args={"case_no": case_no, "event_name": "accept"}, not_found=CASE_OUTSIDERS),
    "cases.deficiency_supply":   only(STAFF, CLERK, ENTERPRISE, ADMIN, args={"case_no": case_no, "deficiency_id": deficiency_id}, not_found=CASE_OUTSIDERS),
    "cases.deficiency_verify":   only(STAFF, CLERK, ENTERPRISE, ADMIN, args={"case_no": case_no, "deficiency_id": deficiency_id}, not_found=CASE_OUTSIDERS),
    "cases.deficiency_reject":   only(STAFF, CLERK, ENTERPRISE, ADMIN, args={"case_no": case_no, "deficiency_id": deficiency_id}, not_found=CASE_OUTSIDERS),
    "cases.material_supply":     only(STAFF, CLERK, ENTERPRISE, ADMIN, args={"case_no": case_no, "material_id": material_id}, not_found=CASE_OUTSIDERS),
    # cross-region: pass supplied materials on to the partner (POST only; staff side of the intake station)
    "crossregion_cases.supplement": only(STAFF, CLERK, ADMIN, args={"case_no": case_no}, not_found=CASE_OUTSIDERS),
    "track.index":               public(),                                          # public tracking by number and code
    # --- Open311 GeoReport v2: api_key only, never the session; every error is the spec's error list ---
    "open311.discovery":          public(html=False, args={"fmt": "xml"}),
    "open311.list_services":      public(html=False, args={"fmt": "json"}),
    "open311.service_definition": public(html=False, args={"service_code": "NO-SUCH", "fmt": "xml"},
                                         get={i: 404 for i in IDENTITIES}),
    "open311.list_requests":      public(html=False, args={"fmt": "json"}),
    "open311.create_request":     public(html=False, args={"fmt": "xml"}),          # POST only: 403 without api_key
    "open311.show_request":       public(html=False, args={"service_request_id": "NO-SUCH-CASE", "fmt": "json"},
                                         get={i: 404 for i in IDENTITIES}),
    "open311.token":              public(html=False, args={"token": "1", "fmt": "xml"},
                                         get={i: 404 for i in IDENTITIES}),
    "open311.unknown":            public(html=False, args={"rest": "nope"}, get={i: 404 for i in IDENTITIES}),
    # --- central office dashboard (issue 6): 403 page for other roles, 404 on the API ---
    "dashboard.index":           only(CENTRAL, ADMIN),
    "dashboard.tile":            only(CENTRAL, ADMIN, args={"code": "LL"}, get={CENTRAL: 303, ADMIN: 303}),  # htmx only
    "dashboard.station":         only(CENTRAL, ADMIN, args={"code": "LL"}),
    "dashboard.clerks":          only(CENTRAL, ADMIN),
    "dashboard.departments":     only(CENTRAL, ADMIN),
    "dashboard.figures":         only(CENTRAL, ADMIN, query={"period": "quarter"}),
    "dashboard.export":          only(CENTRAL, ADMIN, html=False, args={"table": "tiles", "fmt": "csv"}),
    "dashboard.export_start":    only(CENTRAL, ADMIN, args={"table": "cases", "fmt": "csv"}),     # POST only
    "dashboard.export_progress": only(CENTRAL, ADMIN, args={"token": "no-such-export-job-0000"},
                                      get={CENTRAL: 404, ADMIN: 404}),                 # another's job: 404 too
    "dashboard.export_file":     only(CENTRAL, ADMIN, html=False, args={"token": "no-such-export-job-0000"},
                                      get={CENTRAL: 404, ADMIN: 404}),
    "metrics_api.stations":      only(CENTRAL, ADMIN, anonymous=401, html=False,
                                      get={STAFF: 404, CLERK: 404, ENTERPRISE: 404, DEPARTMENT: 404, COMMISSIONER: 404, PERSON: 404}),
    "metrics_api.period":        only(CENTRAL, ADMIN, anonymous=401, html=False, query={"from": "2026-01-01", "to": "2026-03-31"},
                                      get={STAFF: 404, CLERK: 404, ENTERPRISE: 404, DEPARTMENT: 404, COMMISSIONER: 404, PERSON: 404}),
    "open311_admin.index":        only(ADMIN),                                      # issue / revoke API keys
    "open311_admin.create":       only(ADMIN),                                      # POST only
    "open311_admin.revoke":       only(ADMIN, args={"key_id": 1}),                  # POST only
    # --- notifications (issue 4): everyone has their own; another's id is a 404 ---
    "notifications.index":         signed_in(),
    "notifications.badge":         signed_in(html=False),                           # the polled bell fragment
    "notifications.mark_read":     signed_in(args={"notification_id": 0}),          # POST only
    "notifications.open_":         signed_in(args={"notification_id": 0}),          # POST only
    "notifications.mark_all_read": signed_in(),                                     # POST only
    # --- messages (issue 4): enterprise users and clerks only; a non-client's conversation is a 404 ---
    "messaging.index":             only(CLERK, ENTERPRISE),                         # enterprise: its conversation; clerk: inbox
    "messaging.send":              only(ENTERPRISE),                                # POST /messages/
    "messaging.conversation":      only(CLERK, args={"enterprise_id": lambda: the_client().enterprise.id}),
    "messaging.clerk_send":        only(CLERK, args={"enterprise_id": lambda: the_client().enterprise.id}),
    "messaging.attachment":        only(CLERK, ENTERPRISE, html=False, args={"message_id": 0},
                                        get={CLERK: 404, ENTERPRISE: 404}),
    # --- ratings and 差评整改 (issue 4) ---
    "ratings.index":               only(ENTERPRISE),
    "ratings.show":                only(ENTERPRISE, args={"case_no": case_no}),
    "ratings.create":              only(ENTERPRISE, args={"case_no": case_no}),     # POST /ratings/<case_no>
    "ratings.react":               only(ENTERPRISE, args={"case_no": case_no}),     # POST only
    "ratings.rectifications":      only(STAFF, CENTRAL, ADMIN),
    "ratings.rectification":       only(STAFF, CENTRAL, ADMIN, args={"rectification_id": rectification_id}),
    "ratings.rectification_event": only(STAFF, ADMIN, args={"rectification_id": rectification_id,
                                                            "event_name": "callback"}),  # POST only
    # --- the enterprise's own pages and the clerk directory (issue 4, portal): other roles 403; not its own: 404 ---
    "enterprises.apply":           only(ENTERPRISE, PERSON),                        # online application
    "enterprises.apply_submit":    only(ENTERPRISE, PERSON),                        # POST /enterprise/apply
    "enterprises.documents":       only(ENTERPRISE),                                # the document store
    "enterprises.document_upload": only(ENTERPRISE),                                # POST /enterprise/documents
    "enterprises.document_archive": only(ENTERPRISE, args={"document_id": 0}),      # POST only
    "enterprises.document_file":   only(ENTERPRISE, html=False, args={"document_id": 0}, get={ENTERPRISE: 404}),
    "clerks.index":                only(ENTERPRISE, PERSON),                        # the directory
    "clerks.choose":               only(ENTERPRISE, PERSON, args={"clerk_id": user_id("clerk-qh")}),  # POST only
    "clerks.history":              only(ENTERPRISE, PERSON),
    # --- API v1 for the enterprise user (issue 4): other roles 403 ---
    "api.list_documents":          only(ENTERPRISE, anonymous=401, html=False),
    "api.list_messages":           only(ENTERPRISE, anonymous=401, html=False),
    "api.post_message":            only(ENTERPRISE, anonymous=401, html=False),
    "api.list_ratings":            only(ENTERPRISE, anonymous=401, html=False),
    "api.rate_case":               only(ENTERPRISE, anonymous=401, html=False, args={"case_no": "NO-SUCH-CASE"}),
    # --- 一件事 bundles (issue 16): the bundle case is seen as its cases are; outsiders of its scope get 404 ---
    "bundles.index":               signed_in(),
    "bundles.apply_form":          only(STAFF, CLERK, ENTERPRISE, args={"code": "XC-YGRZ"}),
    "bundles.apply":               only(STAFF, CLERK, ENTERPRISE, args={"code": "XC-YGRZ"}),  # POST
    "bundles.cases":               signed_in(),
    "bundles.show":                only(STAFF, CLERK, ENTERPRISE, CENTRAL, ADMIN, args={"bundle_no": bundle_no},
                                        not_found=CASE_OUTSIDERS),
    "bundles.receipt":             only(STAFF, CLERK, ENTERPRISE, ADMIN, args={"bundle_no": bundle_no},
                                        not_found=CASE_OUTSIDERS),
    "bundles.track":               public(),
    "bundle_admin.index":          only(ADMIN),
    "bundle_admin.new":            only(ADMIN),
    "bundle_admin.create":         only(ADMIN),                                    # POST /admin/bundles/new
    "bundle_admin.edit":           only(ADMIN, args={"code": "XC-YGRZ"}),
    "bundle_admin.update":         only(ADMIN, args={"code": "XC-YGRZ"}),          # POST
    "bundle_admin.export":         only(ADMIN, html=False),
    "bundle_admin.import_":        only(ADMIN),                                    # POST only
    "api.list_bundles":            public(html=False),
    # --- key projects (issue 16): central office, admin, the park's commissioner, departments with a procedure ---
    "projects.board":              only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT),
    "projects.show":               only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT, args={"code": ll_project_code},
                                        not_found={DEPARTMENT}),                   # dept-rs has no procedure there
    "projects.procedure_event":    only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT, not_found={DEPARTMENT},
                                        args={"code": ll_project_code, "procedure_id": ll_procedure_id,
                                              "event_name": "start"}),          # POST only
    "projects.meeting":            only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT, args={"code": ll_project_code},
                                        not_found={DEPARTMENT}),                   # POST only
    "projects.visit":              only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT, args={"code": ll_project_code},
                                        not_found={DEPARTMENT}),                   # POST only
    "projects.link":               only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT, not_found={DEPARTMENT},
                                        args={"code": ll_project_code, "procedure_id": ll_procedure_id}),
    "projects.close_out":          only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT, args={"code": ll_project_code},
                                        not_found={DEPARTMENT}),                   # POST only
    "api.list_projects":           only(ADMIN, CENTRAL, COMMISSIONER, DEPARTMENT, anonymous=401, html=False),
    "api.create_bundle_case":      only(STAFF, CLERK, ENTERPRISE, anonymous=401, html=False),
    "api.get_bundle_case":         signed_in(anonymous=401, html=False, args={"bundle_no": bundle_no},
                                             get={DEPARTMENT: 404, COMMISSIONER: 404, PERSON: 404}),
    # --- appeals (企业诉求, issue 13): scope from access.appeal_scope; the demo appeal is 公积金's, not 人社's ---
    "appeals.index":             signed_in(),                                      # the queue / the enterprise's list
    "appeals.new":               only(STAFF, CLERK, COMMISSIONER, ENTERPRISE, ADMIN),
    "appeals.create":            only(STAFF, CLERK, COMMISSIONER, ENTERPRISE, ADMIN),
    "appeals.show":              signed_in(args={"appeal_no": demo_appeal_no}, not_found=frozenset({DEPARTMENT, PERSON})),
    "appeals.event":             only(STAFF, CLERK, COMMISSIONER, ENTERPRISE, ADMIN, DEPARTMENT,
                                      args={"appeal_no": demo_appeal_no}, not_found=frozenset({DEPARTMENT})),  # POST only
    "appeals.attachment":        signed_in(args={"appeal_no": demo_appeal_no, "attachment_id": 0}, html=False,
                                           get={role: 404 for role in ROLES}),      # no such file
    "appeals.import_12345":      only(ADMIN),
    "servicelog.day":            only(COMMISSIONER, CLERK, STAFF),
    "servicelog.create":         only(COMMISSIONER, CLERK, STAFF),
    "servicelog.summary":        only(COMMISSIONER, CLERK, STAFF, CENTRAL, ADMIN),
    "servicelog.export":         only(COMMISSIONER, CLERK, STAFF, CENTRAL, ADMIN, html=False, args={"fmt": "csv"}),
    "api.list_appeals":          signed_in(anonymous=401, html=False),
    "api.get_appeal":            signed_in(anonymous=401, html=False, args={"appeal_no": demo_appeal_no},
                                           not_found=frozenset({DEPARTMENT, PERSON})),
    "api.create_appeal":         only(STAFF, CLERK, COMMISSIONER, ENTERPRISE, ADMIN, anonymous=401, html=False),
    "api.post_appeal_event":     only(STAFF, CLERK, COMMISSIONER, ENTERPRISE, ADMIN, DEPARTMENT, anonymous=401,
                                      html=False, args={"appeal_no": demo_appeal_no}, not_found=frozenset({DEPARTMENT, PERSON})),
    # --- 一键约见 and 政策宣讲 (issue 14) ---
    "meetings.index":              signed_in(),
    "meetings.new":                only(ENTERPRISE, CLERK, COMMISSIONER, STAFF, ADMIN),
    "meetings.create":             only(ENTERPRISE, CLERK, COMMISSIONER, STAFF, ADMIN),   # POST /meetings/new
    "meetings.show":               signed_in(args={"meeting_no": demo_meeting_no}, not_found=frozenset({PERSON})),
    "meetings.post_event":         signed_in(args={"meeting_no": demo_meeting_no}),     # POST; the machine decides
    "meetings.ask":                only(ENTERPRISE, args={"meeting_no": demo_meeting_no}),
    "meetings.commitment_done":    only(STAFF, DEPARTMENT, ADMIN, args={"meeting_no": demo_meeting_no, "commitment_id": 0}),
    "meetings.ics":                signed_in(html=False, args={"meeting_no": demo_meeting_no}, not_found=frozenset({PERSON})),
    "meetings.figures":            only(CENTRAL, ADMIN, query={"from": "2026-01-01", "to": "2026-12-31"}),
    "meetings.slots_page":         only(DEPARTMENT, STAFF, ADMIN),
    "meetings.slots_add":          only(DEPARTMENT, STAFF, ADMIN),                         # POST /meetings/slots
    "meetings.slots_withdraw":     only(DEPARTMENT, STAFF, ADMIN, args={"slot_id": 0}),    # POST only
    "policy_sessions.index":       signed_in(),
    "policy_sessions.new":         only(STAFF, ADMIN),
    "policy_sessions.create":      only(STAFF, ADMIN),                                   # POST /sessions/new
    "policy_sessions.show":        signed_in(args={"session_id": demo_session_id}),
    "policy_sessions.signup":      only(ENTERPRISE, args={"session_id": demo_session_id}),
    "policy_sessions.cancel":      only(ENTERPRISE, args={"session_id": demo_session_id}),
    "policy_sessions.qr":          only(ENTERPRISE, html=False, args={"session_id": demo_session_id}),
    "policy_sessions.ask":         only(ENTERPRISE, args={"session_id": demo_session_id}),
    "policy_sessions.replay":      only(STAFF, ADMIN, args={"session_id": demo_session_id}),  # POST only
    "policy_sessions.answer":      only(STAFF, ADMIN, args={"question_id": 0}),
    "policy_sessions.edit":        only(STAFF, ADMIN, args={"session_id": demo_session_id}),
    "policy_sessions.update":      only(STAFF, ADMIN, args={"session_id": demo_session_id}),  # POST .../edit
    "policy_sessions.to_appeal":   only(STAFF, ADMIN, args={"question_id": 0}),           # POST only
    "policy_sessions.checkin":     only(STAFF, ADMIN, args={"session_id": demo_session_id}),
    "pwa.service_worker":          public(html=False),
    "pwa.manifest":                public(html=False),
    "takeout.index":               only(ENTERPRISE, CLERK, STAFF, ADMIN, CENTRAL),
    "takeout.menu_admin":          only(ADMIN),
    "takeout.menu_export":         only(ADMIN, html=False),
    "takeout.menu_import":         only(ADMIN),                                             # POST only
    "takeout.menu_toggle":         only(ADMIN, args={"code": "WMGX01"}),                    # POST only
    "takeout.menu":                only(ENTERPRISE, CLERK, STAFF, ADMIN, CENTRAL),
    "takeout.new":                 only(ENTERPRISE, CLERK, STAFF, ADMIN),
    "takeout.create":              only(ENTERPRISE, CLERK, STAFF, ADMIN),                   # POST /takeout/new
    "takeout.show":                only(ENTERPRISE, CLERK, STAFF, ADMIN, CENTRAL, args={"order_no": demo_order_no}),
    "takeout.post_event":          only(ENTERPRISE, CLERK, STAFF, ADMIN, CENTRAL, args={"order_no": demo_order_no}),
    "takeout.take_in":             only(STAFF, CLERK, args={"order_no": demo_order_no}),    # POST; the team only
    "takeout.raise_problem":       only(STAFF, CLERK, args={"order_no": demo_order_no}),    # POST; the team only
    "api.takeout_menu":            signed_in(anonymous=401, html=False),
    "api.list_takeout_orders":     signed_in(anonymous=401, html=False),
    "api.create_takeout_order":    only(ENTERPRISE, CLERK, STAFF, ADMIN, anonymous=401, html=False),
    "api.get_takeout_order":       signed_in(anonymous=401, html=False, args={"order_no": demo_order_no},
                                             not_found=frozenset({DEPARTMENT, COMMISSIONER, PERSON})),
    "api.post_takeout_event":      signed_in(anonymous=401, html=False, args={"order_no": demo_order_no},
                                             not_found=frozenset({DEPARTMENT, COMMISSIONER, PERSON})),
    "api.list_meetings":           signed_in(anonymous=401, html=False),
    "api.get_meeting":             signed_in(anonymous=401, html=False, args={"meeting_no": demo_meeting_no},
                                             not_found=frozenset({PERSON})),
    "api.create_meeting":          only(ENTERPRISE, CLERK, COMMISSIONER, STAFF, ADMIN, anonymous=401, html=False),
    "api.post_meeting_event":      signed_in(anonymous=401, html=False, args={"meeting_no": demo_meeting_no}),
    "api.list_officials":          signed_in(anonymous=401, html=False),               # whom a request can name
    "api.list_policy_sessions":    signed_in(anonymous=401, html=False),
    "api.sign_up_policy_session":  only(ENTERPRISE, anonymous=401, html=False, args={"session_id": demo_session_id}),
    "api.edit_policy_session":     only(STAFF, ADMIN, anonymous=401, html=False, args={"session_id": demo_session_id}),
    "api.policy_session_question_to_appeal": only(STAFF, ADMIN, anonymous=401, html=False, args={"question_id": 0}),
}
# fmt: on

LOGOUT_FORM = re.compile(r'<form method="post" action="/logout"[^>]*>\s*<input name="csrf_token" type="hidden" value=')


def resolve(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value() if callable(value) else value for key, value in values.items()}


def url_for_endpoint(app: Flask, endpoint: str, route: Route | None = None) -> str:
    """The URL of ``endpoint`` with the table's demo arguments (used by other sweeps, e.g. CSRF)."""
    route = route or ROUTES[endpoint]
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **resolve(route.args), **resolve(route.query))


def served_by(app: Flask, url: str, method: str) -> str | None:
    """The endpoint that answers ``method`` on ``url`` (another one may share the URL), or None (405)."""
    from werkzeug.exceptions import MethodNotAllowed

    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(url.split("?")[0], method=method)
    except MethodNotAllowed:
        return None
    return endpoint


def client_for(app: Flask, identity: str):
    client = app.test_client()
    if identity != ANON:
        response = AuthActions(client).login(account_of(identity), DEMO_PASSWORD)
        assert response.status_code == 303, f"login as {account_of(identity)}"
    return client


def mismatch(response, expected: int | str, what: str) -> str | None:
    """A description of what is wrong with ``response``, or None when it is what the table says."""
    if expected == LOGIN:
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith("/login"):
            return None
        return f"{what}: {response.status_code} {location}, expected the login redirect"
    if response.status_code != expected:
        return f"{what}: {response.status_code}, expected {expected}"
    return None


def test_every_route_has_a_policy(app):
    """Z1: the table lists exactly the app's endpoints. Add a line to ROUTES for a new one."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ROUTES))
    stale = sorted(set(ROUTES) - endpoints)
    assert not missing, f"routes without an access policy in {__name__}.ROUTES: {missing}"
    assert not stale, f"ROUTES lists endpoints the app does not have: {stale}"


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_get_by_role(app, endpoint):
    """Each identity gets what the table says; a POST-only URL answers GET with 405 to everyone."""
    route = ROUTES[endpoint]
    url = url_for_endpoint(app, endpoint, route)
    other = served_by(app, url, "GET")
    if other not in (None, endpoint):  # a form's POST endpoint sharing the page's URL: the page's line covers GET
        assert other in ROUTES
        route = ROUTES[other]
    problems = []
    for identity in IDENTITIES:
        response = client_for(app, identity).get(url)
        expected = 405 if other is None else route.expected_get(identity)
        problems.append(mismatch(response, expected, f"GET {url} as {identity}"))
        body = response.get_data(as_text=True) if route.html else ""  # files (xlsx) are not text
        if identity != ANON and response.status_code == 200 and route.html and not LOGOUT_FORM.search(body):
            problems.append(f"GET {url} as {identity}: no logout form (S8)")
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_post_by_role(app, endpoint):
    """Refused identities get 403 (or the login redirect) for a POST too; a GET-only URL answers 405."""
    route = ROUTES[endpoint]
    url = url_for_endpoint(app, endpoint, route)
    other = served_by(app, url, "POST")
    if other not in (None, endpoint):  # the URL's POST belongs to another endpoint, checked on its own line
        assert other in ROUTES
        route = ROUTES[other]
    problems = []
    checked = 0
    for identity in IDENTITIES:
        expected = 405 if other is None else route.expected_post_refusal(identity)
        if expected is None:
            continue
        client = client_for(app, identity)
        token = csrf_token_from(client, "/login" if identity == ANON else "/account/password")
        problems.append(mismatch(client.post(url, data={"csrf_token": token}), expected, f"POST {url} as {identity}"))
        checked += 1
    if not checked:  # a public POST route (the login form): an empty POST is a form error, never a crash
        client = app.test_client()
        response = client.post(url, data={"csrf_token": csrf_token_from(client, "/login")})
        problems.append(None if response.status_code < 500 else f"POST {url}: {response.status_code}")
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)
