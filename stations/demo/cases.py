"""Demo cases (issue 3 §10): a few hundred realistic cases over the last four months at every station.

Every case is built through the services (``receive_case`` / ``apply_event`` / ``supply_deficiency`` /
``verify_deficiency``) with explicit ``now=`` values, so statuses, due dates, colours, the 容缺 ledger and the event
trail are exactly what the application itself would have produced. The cases are relative to the real current date:
whenever it is run there are GREEN, YELLOW and RED cases *today* at every station.

Everything here is fictional and marked as such (domain.md §6.5): the cases carry the note ``DEMO_NOTE``, the extra
enterprises have 示例 in their names, the extra station staff cannot log in (their password is random and unknown).
Running it twice changes nothing: it does nothing when a demo case exists.

A deterministic random generator (``SEED``) picks stations, enterprises, items and timelines, so two fresh
databases seeded on the same day hold the same cases (apart from the query codes).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..auth.models import Role, User
from ..calendar.services import pinned_calendar
from ..cases import services
from ..cases.models import Case, Channel, MaterialStatus
from ..cases.services import EventInput, MaterialInput
from ..catalog.models import ServiceItem
from ..domain.case_vocabulary import CaseEvent, CaseStatus
from ..domain.deficiency_flow import DeficiencyStatus
from ..extensions import db
from ..sites.models import Station
from ..timeutil import business_to_utc, utcnow
from .case_data import DEMO_NOTE, RANDOM_CASES, SEED
from .case_people import demo_document, seed_extra_enterprises, seed_extra_staff
from .case_planner import Plan, Planner
from .case_scenarios import build_plans


def demo_cases_present() -> bool:
    return bool(db.session.scalar(select(func.count(Case.id)).where(Case.note == DEMO_NOTE)))


# --- execution ----------------------------------------------------------------------------------------------------


def _material_inputs(plan: Plan) -> list[MaterialInput]:
    inputs = []
    main_missing = False
    for material in plan.item.materials:
        status = MaterialStatus.VERIFIED
        if not material.is_required:
            status = MaterialStatus.VERIFIED if material.sort_order % 2 else MaterialStatus.MISSING
        elif plan.materials == "missing_minor" and not material.is_main and material.rongque_allowed:
            status = MaterialStatus.MISSING
        elif plan.materials == "missing_main" and not main_missing:
            status, main_missing = MaterialStatus.MISSING, True
        inputs.append(MaterialInput(material.id, status))
    return inputs


def run_plan(planner: Planner, plan: Plan) -> Case | None:
    latest = planner.latest
    if plan.received_at > latest:
        return None
    receiver = plan.receiver
    if receiver.role is Role.ENTERPRISE and receiver.enterprise_id != plan.enterprise.id:
        receiver, plan.channel = planner.staff_at(plan.station), Channel.STATION
    if receiver.role is Role.CLERK and planner.clerk_of.get(plan.enterprise.id) != receiver.id:
        receiver = planner.staff_at(plan.station)
        plan.channel = Channel.COMPREHENSIVE if plan.station.code == "ZX" else Channel.STATION
    if plan.channel is Channel.ONLINE and not plan.item.is_online:
        plan.channel = Channel.COMPREHENSIVE if plan.station.code == "ZX" else Channel.STATION
        receiver = planner.staff_at(plan.station)
    case = services.receive_case(
        user=receiver,
        station=plan.station,
        item=plan.item,
        enterprise=plan.enterprise,
        channel=plan.channel,
        applicant_name=plan.applicant,
        applicant_phone=plan.phone,
        is_agent=planner.rng.random() < 0.2,
        materials=_material_inputs(plan),
        note=DEMO_NOTE,
        now=business_to_utc(plan.received_at),
    )
    previous = plan.received_at
    for step in sorted(plan.steps, key=lambda s: s.at):
        at = max(step.at, previous)
        if at > latest:
            break
        previous = at
        user = step.user
        if user.role is Role.CLERK and planner.clerk_of.get(plan.enterprise.id) != user.id:
            user = planner.staff_at(plan.station)
        now = business_to_utc(at)
        if step.action == "provide":  # the applicant hands in the corrected papers at the counter
            for material in case.materials:
                if material.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION):
                    material.status = MaterialStatus.PROVIDED
            continue
        if step.action in ("supply", "verify"):
            for deficiency in list(case.deficiencies):
                if step.action == "supply" and deficiency.status is DeficiencyStatus.PENDING:
                    document = demo_document(plan.enterprise, deficiency.case_material.item_material.name, now)
                    services.supply_deficiency(deficiency, user, document=document, now=now)
                elif step.action == "verify" and deficiency.status is DeficiencyStatus.SUPPLIED:
                    services.verify_deficiency(deficiency, user, accept=True, now=now)
            continue
        data = step.data
        if step.action == CaseEvent.ACCEPT.value:
            ids = [m.id for m in case.materials if m.status is MaterialStatus.PROVIDED]
            data = EventInput(note=data.note, verified_material_ids=ids)
        services.apply_event(case, CaseEvent(step.action), user, version=case.version, data=data, now=now)
    return case


def seed_demo_cases(now: datetime | None = None, *, random_cases: int | None = None) -> int:
    """Add the demo cases unless they are there; returns how many were added. Flushes; the caller commits.

    ``random_cases`` = 0 gives only the fixed scenarios (every status, every colour today, the 容缺 ledger):
    about 80 cases, for tests.
    """
    stations = {s.code: s for s in db.session.scalars(select(Station))}
    if not stations or not db.session.scalar(select(func.count(ServiceItem.id))):
        return 0
    seed_extra_staff(stations)
    seed_extra_enterprises(stations)
    if demo_cases_present():
        return 0
    added = 0
    with pinned_calendar():
        planner = Planner(now or utcnow(), random.Random(SEED))
        for plan in build_plans(planner, RANDOM_CASES if random_cases is None else random_cases):
            if run_plan(planner, plan) is not None:
                added += 1
        seed_demo_ratings(planner)
    db.session.flush()
    return added


# 好差评 of the demo: mostly satisfied, one 差评 in twelve (which opens a rectification for the station).
DEMO_RATING_LEVELS = (5, 5, 4, 5, 5, 4, 5, 3, 5, 4, 2, 5)
UNRATED_LEFT = 4  # each demo enterprise keeps its latest deliveries unrated, to rate them in the demo


def seed_demo_ratings(planner: Planner) -> int:
    """The demo enterprises (those with a sign-in) rate their earlier delivered cases, through the ratings service,
    a few hours after delivery; returns how many ratings were given."""
    from ..ratings import services as rating_services  # above cases in the layers; only the demo needs both

    users = {
        user.enterprise_id: user
        for user in db.session.scalars(select(User).where(User.role == Role.ENTERPRISE).order_by(User.id))
    }
    latest = business_to_utc(planner.latest)
    given = 0
    for enterprise_id, user in users.items():
        delivered = db.session.scalars(
            select(Case)
            .where(Case.enterprise_id == enterprise_id, Case.status == CaseStatus.DELIVERED)
            .order_by(Case.delivered_at, Case.id)
        ).all()
        for n, case in enumerate(delivered[:-UNRATED_LEFT] if len(delivered) > UNRATED_LEFT else []):
            level = DEMO_RATING_LEVELS[n % len(DEMO_RATING_LEVELS)]
            at = min(case.delivered_at + timedelta(hours=planner.rng.randint(1, 30)), latest)
            rating_services.rate_case(
                case,
                user,
                level=level,
                reasons=["SLOW"] if level <= 2 else [],
                comment="等了好几天才办好" if level <= 2 else "",
                now=at,
            )
            given += 1
    return given
