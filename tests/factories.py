"""Factories with defaults everywhere: make_case(...) and friends (Indico/CTFd style)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from stations.auth.models import Role, User
from stations.cases import services
from stations.cases.models import Case, MaterialStatus
from stations.catalog.models import ServiceItem
from stations.enterprises.models import Enterprise
from stations.extensions import db
from stations.sites.models import Station, StationItem


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def station(code: str) -> Station:
    return db.session.scalar(select(Station).where(Station.code == code))


def enterprise(name_part: str) -> Enterprise:
    """A demo enterprise by part of its name: for tests of the demo data only (others make their own, make_client)."""
    return db.session.scalar(select(Enterprise).where(Enterprise.name.contains(name_part)))


_USCC_SERIAL = itertools.count(1)


def new_uscc() -> str:
    """A credit code with a valid check character that no demo enterprise has (a fresh one per call)."""
    from stations.demo.reference import make_uscc

    return make_uscc(f"91610131MA6T{next(_USCC_SERIAL):05d}")


def make_enterprise(
    name: str = "测试示例科技有限公司", *, uscc: str | None = None, station_code: str | None = "LL"
) -> Enterprise:
    """An enterprise of the test's own (not a demo one), registered at ``station_code``."""
    enterprise = Enterprise(
        name=name, uscc=uscc or new_uscc(), station_id=station(station_code).id if station_code else None
    )
    db.session.add(enterprise)
    db.session.commit()
    return enterprise


@dataclass(frozen=True)
class Client:
    """An enterprise of the test's own with its enterprise account and (unless none) its dedicated clerk."""

    enterprise: Enterprise
    account: User
    clerk: User | None

    @property
    def username(self) -> str:
        """For ``login_as(client.username)``: the account signs in with the demo password like the demo ones."""
        return self.account.username


_CLIENT_SERIAL = itertools.count(1)
# The demo's dedicated clerk of each station that has one (contract.md: ent-gd is clerk-ll's client, ent-qn clerk-qh's).
STATION_CLERKS = {"LL": "clerk-ll", "QH": "clerk-qh"}
_STATION_CLERK = "the station's clerk"


def make_client(
    *, station_code: str = "LL", clerk: str | User | None = _STATION_CLERK, name: str | None = None
) -> Client:
    """A client as the contract's ent-gd (at LL) and ent-qn (at QH) are, but the test's own: an enterprise
    registered at ``station_code``, an ENTERPRISE account of it and its dedicated clerk — by default the
    station's (``STATION_CLERKS``), else ``clerk`` (a username or a user), none when ``clerk`` is None."""
    from stations.auth.services import hash_password
    from stations.clerks.models import ClerkChoice
    from stations.demo import DEMO_PASSWORD

    serial = next(_CLIENT_SERIAL)
    enterprise = make_enterprise(name or f"测试客户{serial:03d}科技有限公司", station_code=station_code)
    account = User(
        username=f"ent-test-{serial}",
        display_name=f"{enterprise.name} 经办人",
        role=Role.ENTERPRISE,
        password_hash=hash_password(DEMO_PASSWORD),
        enterprise_id=enterprise.id,
    )
    db.session.add(account)
    if clerk == _STATION_CLERK:
        clerk = STATION_CLERKS[station_code]
    the_clerk = user(clerk) if isinstance(clerk, str) else clerk
    if the_clerk is not None:
        db.session.add(ClerkChoice(enterprise_id=enterprise.id, clerk_id=the_clerk.id, chosen_by="APPLICANT"))
    db.session.commit()
    return Client(enterprise=enterprise, account=account, clerk=the_clerk)


def item(
    code: str | None = None, *, station_code: str = "LL", instant: bool | None = None, rongque: bool | None = None
):
    """An item by code, or the first one offered at ``station_code`` with the given traits."""
    if code:
        return db.session.scalar(select(ServiceItem).where(ServiceItem.code == code))
    stmt = (
        select(ServiceItem)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == station_code)
        .order_by(ServiceItem.id)
    )
    if instant is not None:
        stmt = stmt.where(ServiceItem.is_instant.is_(instant))
    if rongque is not None:
        stmt = stmt.where(ServiceItem.rongque_allowed.is_(rongque))
    return db.session.scalars(stmt).first()


def item_without_reachable_partner(station_code: str = "LL", *, exclude: tuple[str, ...] = ()) -> ServiceItem:
    """An item the station accepts (with materials) that no active partner with a URL handles: a test's own
    partner is then the only one (the demo agreements of stations/crossregion/demo_partners.py cover many)."""
    from stations.crossregion.models import PartnerItem, PartnerRegion
    from stations.sites.models import ScopeMode

    reachable = (
        select(PartnerItem.id)
        .join(PartnerRegion, PartnerRegion.id == PartnerItem.partner_id)
        .where(
            PartnerItem.local_item_id == ServiceItem.id,
            PartnerRegion.is_active.is_(True),
            PartnerRegion.base_url.is_not(None),
        )
    )
    return db.session.scalar(
        select(ServiceItem)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(
            Station.code == station_code,
            StationItem.mode == ScopeMode.ACCEPT,
            ServiceItem.materials.any(),
            ServiceItem.code.not_in(exclude),
            ~reachable.exists(),
        )
        .order_by(ServiceItem.id)
        .limit(1)
    )


def make_case(
    *,
    by: str = "staff-ll",
    station_code: str = "LL",
    enterprise: Enterprise | None = None,
    item_obj: ServiceItem | None = None,
    instant: bool | None = False,
    rongque: bool | None = None,
    materials: str = "verified",  # "verified", "missing_minor" or "missing"
    now: datetime | None = None,
) -> Case:
    """A RECEIVED case at a station of ``enterprise`` (a new client's, as ``make_client()`` makes one, when none is
    given); ``materials`` says how its checklist was filled in."""
    the_item = item_obj or item(station_code=station_code, instant=instant, rongque=rongque)
    enterprise_obj = enterprise or make_client().enterprise
    inputs = []
    for material in the_item.materials:
        status = MaterialStatus.VERIFIED
        if materials == "missing" or (materials == "missing_minor" and not material.is_main):
            status = MaterialStatus.MISSING
        if material.is_required:
            inputs.append(services.MaterialInput(material.id, status))
    case = services.receive_case(
        user=user(by),
        station=station(station_code),
        item=the_item,
        enterprise=enterprise_obj,
        channel=services.Channel.STATION,
        applicant_name="示例经办人",
        applicant_phone="13800000000",
        materials=inputs,
        now=now,
    )
    return case


def make_partner(
    code: str = "TP",
    *,
    name: str = "测试合作区",
    kind: str = "CROSS_REGION",
    agreed_item_count: int = 0,
    item_codes: tuple[str, ...] = (),
    key_id: str | None = None,
    shared_key: str | None = None,
):
    """A partner district of the test's own (not a demo one): ``item_codes`` are our items under its agreement
    (partner code ``<code>-<item code>``, our name), ``key_id`` a signing key valid from now with a fresh secret."""
    import secrets

    from stations.crossregion.models import AgreementKind, PartnerItem, PartnerKey, PartnerRegion

    partner = PartnerRegion(
        code=code,
        name=name,
        agreement_kind=AgreementKind(kind),
        agreed_item_count=agreed_item_count,
        shared_key=shared_key,
    )
    db.session.add(partner)
    db.session.flush()
    for item_code in item_codes:
        local = item(item_code)
        db.session.add(
            PartnerItem(
                partner_id=partner.id,
                local_item_id=local.id,
                partner_item_code=f"{code}-{local.code}",
                partner_item_name=local.name,
                is_same_standard=partner.agreement_kind is AgreementKind.SAME_STANDARD,
            )
        )
    if key_id:
        db.session.add(PartnerKey(partner_id=partner.id, key_id=key_id, secret=secrets.token_hex(32)))
    db.session.commit()
    return partner


def make_project(
    code: str = "TZ0001",
    *,
    station_code: str = "LL",
    procedures: tuple[tuple[str, str, str], ...] = (
        ("立项(备案)", "FZJJ", "DONE"),
        ("用地(土地出让)", "KFJS", "IN_PROGRESS"),
        ("施工许可", "GJ", "PLANNED"),
    ),
):
    """A key project of the test's own at a park: ``procedures`` are (name, department code, status) in order."""
    from stations.catalog.models import Department
    from stations.domain.project_flow import ProcedureStatus
    from stations.projects.models import Project, ProjectProcedure
    from stations.timeutil import business_today

    project = Project(code=code, name=f"测试项目{code}", station_id=station(station_code).id)
    for seq, (name, department_code, status) in enumerate(procedures):
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        project.procedures.append(
            ProjectProcedure(
                seq=seq,
                name=name,
                department_id=department.id,
                planned_on=business_today(),
                status=ProcedureStatus(status),
            )
        )
    db.session.add(project)
    db.session.flush()
    return project
