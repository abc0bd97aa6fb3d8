"""Writes on bundles: maintaining a bundle, applying once, opening members as their prerequisites conclude.

Child cases are made by the case services (receive_case), at the station that took in the bundle, acting as the
user who took it in (staff at their station, the enterprise's clerk, or the enterprise online). Flush, never commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..access import may_apply_for_bundle
from ..auth.models import User
from ..calendar.services import current_calendar
from ..cases import services as case_services
from ..cases.models import Case, Channel, MaterialStatus
from ..cases.numbering import new_query_code
from ..cases.xr_port import port as xr_port
from ..catalog.models import OnlineMode, ServiceItem
from ..domain import bundles as rules
from ..domain.case_vocabulary import CaseEvent, CaseStatus
from ..domain.deadlines import compute_deadline
from ..enterprises import services as enterprise_services
from ..enterprises.models import Document, Enterprise
from ..extensions import db
from ..sites.models import ScopeMode, Station
from ..timeutil import business_now, business_to_utc, to_business, utcnow
from ..uploads.models import StoredFile
from ..uploads.storage import store_bytes
from .models import Bundle, BundleCase, BundleChild, BundleDocument, BundleLevel, BundleMember

log = logging.getLogger(__name__)

CONCLUDED = frozenset({CaseStatus.APPROVED, CaseStatus.APPROVED_RQ, CaseStatus.ISSUED, CaseStatus.DELIVERED})
FAILED = frozenset(
    {CaseStatus.REJECTED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED, CaseStatus.RECALLED}
)


class BundleError(Exception):
    """A request the rules refuse; ``status`` is the HTTP answer, ``detail`` names what is concerned."""

    def __init__(self, code: str, status: int = 422, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.status = status
        self.detail = detail


@dataclass
class MemberInput:
    seq: int
    item_id: int
    depends_on: list[int] = field(default_factory=list)
    optional: bool = False
    partner_code: str | None = None


@dataclass
class BundleInput:
    code: str
    name: str
    level: BundleLevel
    is_online: bool = False
    scenario_text: str = ""
    promised_days: int = 0
    members: list[MemberInput] = field(default_factory=list)


def check_members(members: list[MemberInput]) -> None:
    """:raise BundleError: the domain's refusal (``cycle``, ``unknown_dependency``...) or ``duplicate_item``."""
    try:
        rules.validate([rules.Member(m.seq, tuple(m.depends_on), m.optional) for m in members])
    except rules.BundleRuleError as error:
        raise BundleError(error.code, 422, error.detail) from error
    items = [m.item_id for m in members]
    if len(set(items)) != len(items):
        raise BundleError("duplicate_item")
    for member in members:
        # A member handled by a partner district (跨区通办): the partner must handle the item (agreement lists); its
        # child case is received here naming the partner and forwarded by the existing cross-region flow.
        if member.partner_code and member.partner_code not in {
            p.code for p in xr_port().partners_for_item(member.item_id)
        }:
            raise BundleError("partner_unavailable", 422, member.partner_code)


def save_bundle(bundle: Bundle | None, data: BundleInput) -> Bundle:
    """Create (``bundle`` None) or update a bundle with its members; a cycle is refused here, at save, and so is
    an online bundle with a member that cannot be applied for online (``member_not_online``)."""
    check_members(data.members)
    if data.is_online:
        offline = db.session.scalars(
            select(ServiceItem.name).where(
                ServiceItem.id.in_([m.item_id for m in data.members]), ServiceItem.online_mode == OnlineMode.OFFLINE
            )
        ).first()
        if offline:
            raise BundleError("member_not_online", 422, offline)
    if bundle is None or bundle.code != data.code:
        taken = db.session.scalar(select(Bundle.id).where(Bundle.code == data.code))
        if taken is not None:
            raise BundleError("code_taken", 409, data.code)
    if bundle is None:
        bundle = Bundle(code=data.code)
        db.session.add(bundle)
    bundle.code = data.code
    bundle.name = data.name.strip()[:100]
    bundle.level = data.level
    bundle.is_online = data.is_online
    bundle.scenario_text = data.scenario_text.strip() or None
    bundle.promised_days = max(0, data.promised_days)
    # Update members in place by seq (delete-then-insert of the same seq would trip the unique constraint).
    existing = {m.seq: m for m in bundle.members}
    for entry in data.members:
        member = existing.pop(entry.seq, None) or BundleMember(seq=entry.seq)
        member.item_id = entry.item_id
        member.depends_on = sorted(set(entry.depends_on))
        member.is_optional = entry.optional
        member.partner_code = entry.partner_code or None
        if member not in bundle.members:
            bundle.members.append(member)
    for member in existing.values():
        bundle.members.remove(member)
    db.session.flush()
    return bundle


# --- applying once ------------------------------------------------------------------------------------------------


@dataclass
class Upload:
    data: bytes
    content_type: str
    filename: str


def _check_intake(bundle: Bundle, user: User, station: Station, enterprise: Enterprise, channel: Channel) -> None:
    if not bundle.is_active or not bundle.members:
        raise BundleError("bundle_inactive")
    if not may_apply_for_bundle(user):
        raise BundleError("read_only", 403)
    if channel is Channel.ONLINE and not bundle.is_online:
        raise BundleError("not_online")
    for member in bundle.members:
        entry = case_services.scope_entry(station, member.item)
        if entry is None or entry.mode is ScopeMode.GUIDE or not member.item.is_active:
            raise BundleError("member_not_offered", 422, member.item.name)


def _next_bundle_no(station: Station, now: datetime) -> str:
    day = to_business(now).date()
    prefix = f"YJS-{station.code}{day:%Y%m%d}"
    taken = db.session.scalar(select(func.count(BundleCase.id)).where(BundleCase.bundle_no.like(f"{prefix}%")))
    return f"{prefix}{(taken or 0) + 1:03d}"


def apply(
    bundle: Bundle,
    *,
    user: User,
    station: Station,
    enterprise: Enterprise,
    channel: Channel,
    applicant_name: str,
    applicant_phone: str | None = None,
    uploads: dict[str, Upload] | None = None,
    documents: dict[str, int] | None = None,
    stored: list[StoredFile] | None = None,
    now: datetime | None = None,
) -> BundleCase:
    """One application (一窗受理): one number, one set of materials, the first members opened as cases.

    ``uploads`` / ``documents`` map a material name of the merged list to a new file / a document of the store;
    each is filed once and attached to every child checklist that needs it. Files written are appended to
    ``stored`` (the caller discards them on rollback).

    :raise BundleError: ``not_online``, ``member_not_offered`` (detail: the item), ``document_not_yours`` (404),
        ``read_only`` (403); a case service refusal comes through as its code.
    """
    now = now or utcnow()
    stored = stored if stored is not None else []
    _check_intake(bundle, user, station, enterprise, channel)
    deadline = compute_deadline(
        business_now(now), bundle.promised_days, current_calendar(), closing=case_services.closing_time()
    )
    bundle_case = BundleCase(
        bundle_no=_next_bundle_no(station, now),
        query_code=new_query_code(),
        bundle=bundle,
        enterprise_id=enterprise.id,
        station_id=station.id,
        channel=channel.value,
        received_by_id=user.id,
        applicant_name=applicant_name.strip()[:100] or enterprise.name[:100],
        applicant_phone=(applicant_phone or "").strip()[:32] or None,
        received_at=now,
        due_on=deadline.due_on,
        warn_on=deadline.warn_on,
        overdue_at=business_to_utc(deadline.overdue_at_local),
    )
    db.session.add(bundle_case)
    for name, document_id in (documents or {}).items():
        document = db.session.get(Document, document_id)
        if document is None or document.enterprise_id != enterprise.id or document.is_archived:
            raise BundleError("document_not_yours", 404)
        bundle_case.documents.append(BundleDocument(material_name=name[:200], document_id=document.id))
    for name, upload in (uploads or {}).items():
        stored.append(
            store_bytes(upload.data, upload.content_type, upload.filename, enterprise_id=enterprise.id, user_id=user.id)
        )
        document = enterprise_services.add_document(enterprise.id, name, stored[-1].id, user=user, now=now)
        bundle_case.documents.append(BundleDocument(material_name=name[:200], document_id=document.id))
    for member in bundle.members:
        bundle_case.children.append(
            BundleChild(
                seq=member.seq,
                item_id=member.item_id,
                item=member.item,
                depends_on=list(member.depends_on or []),
                is_optional=member.is_optional,
                partner_code=member.partner_code,
            )
        )
    db.session.flush()
    bundle_case.station = station
    bundle_case.enterprise = enterprise
    try:
        _open_ready(bundle_case, user, now)
    except case_services.CaseError as error:
        raise BundleError(error.code, error.status, error.detail) from error
    return bundle_case


def _open_ready(bundle_case: BundleCase, user: User, now: datetime) -> list[BundleChild]:
    """Open (as cases) the members whose prerequisites are all concluded."""
    members = [rules.Member(c.seq, tuple(c.depends_on or ()), c.is_optional) for c in bundle_case.children]
    states = child_states(bundle_case)
    concluded = [seq for seq, state in states.items() if state is rules.ChildState.CONCLUDED]
    opened = [c.seq for c in bundle_case.children if c.case_id is not None]
    ready = set(rules.ready_to_open(members, concluded, opened))
    children = [c for c in bundle_case.children if c.seq in ready]
    for child in children:
        _open_child(bundle_case, child, user, now)
    return children


def _open_child(bundle_case: BundleCase, child: BundleChild, user: User, now: datetime) -> Case:
    item: ServiceItem = child.item
    documents = {rules.material_key(d.material_name): d.document_id for d in bundle_case.documents}
    # At a counter the original was in hand (as for a single case's intake); online uploads wait for checking.
    status = MaterialStatus.VERIFIED if user.role.works_at_station else MaterialStatus.PROVIDED
    inputs = [
        case_services.MaterialInput(m.id, status, documents[rules.material_key(m.name)])
        for m in item.materials
        if rules.material_key(m.name) in documents
    ]
    case = case_services.receive_case(
        user=user,
        station=bundle_case.station,
        item=item,
        enterprise=bundle_case.enterprise,
        channel=Channel(bundle_case.channel),
        applicant_name=bundle_case.applicant_name,
        applicant_phone=bundle_case.applicant_phone,
        materials=inputs,
        note=f"{bundle_case.bundle.name} {bundle_case.bundle_no}",
        now=now,
        xr_partner_code=child.partner_code,
    )
    child.case_id = case.id
    child.case = case
    child.opened_at = now
    db.session.flush()
    return case


def child_state(child: BundleChild) -> rules.ChildState:
    if child.case_id is None or child.case is None:
        # Imported history (demo ledger): a concluded bundle whose children were not linked to case rows.
        if child.bundle_case.status is rules.BundleStatus.CONCLUDED:
            return rules.ChildState.CONCLUDED
        return rules.ChildState.WAITING
    if child.case.status in CONCLUDED:
        return rules.ChildState.CONCLUDED
    if child.case.status in FAILED:
        return rules.ChildState.FAILED
    return rules.ChildState.OPEN


def child_states(bundle_case: BundleCase) -> dict[int, rules.ChildState]:
    return {child.seq: child_state(child) for child in bundle_case.children}


def refresh(bundle_case: BundleCase, now: datetime) -> None:
    """Open what became ready, then roll the status up from the children."""
    if bundle_case.status is rules.BundleStatus.IN_PROGRESS and bundle_case.received_by is not None:
        try:
            with db.session.begin_nested():  # a member that cannot open must not undo the event that concluded
                _open_ready(bundle_case, bundle_case.received_by, now)
        except (case_services.CaseError, ValueError) as error:
            log.warning("bundle %s: a member could not open: %s", bundle_case.bundle_no, error)
    optional = [c.seq for c in bundle_case.children if c.is_optional]
    status = rules.roll_up_status(child_states(bundle_case), optional)
    if status is not bundle_case.status:
        bundle_case.status = status
        bundle_case.concluded_at = now if status is not rules.BundleStatus.IN_PROGRESS else None
    db.session.flush()


def on_case_event(case: Case, event: CaseEvent, now: datetime) -> None:
    """The case services' listener: a child case changed; open its dependants if it concluded, roll up."""
    child = db.session.scalar(select(BundleChild).where(BundleChild.case_id == case.id))
    if child is None:
        return
    refresh(child.bundle_case, now)


def install() -> None:
    """At start-up (create_app): follow case events."""
    case_services.add_event_listener(on_case_event)
