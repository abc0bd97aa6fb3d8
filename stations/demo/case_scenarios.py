"""The demo cases' scenarios: about 80 fixed plans that guarantee every status and colour at every main station,
plus random ones, built by ``build_plans``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from ..cases.services import EventInput
from ..domain.case_vocabulary import CaseEvent
from ..domain.deadlines import WarnLevel
from ..enterprises.models import Enterprise
from ..sites.models import Station
from .case_data import (
    CORRECTION_NOTES,
    DELIVERY_MODES,
    MAIN_STATIONS,
    OPEN_DAY,
    RANDOM_CASES,
    REFUSAL_REASONS,
    REJECT_REASONS,
    STATION_WEIGHTS,
    TERMINATED_ENTERPRISE,
    WITHDRAW_NOTES,
)
from .case_planner import Plan, Planner, Step

# --- scenarios ----------------------------------------------------------------------------------------------------
# Each builds one plan; the executor runs it through the services. Steps later than ``latest`` are dropped, so a
# case received recently simply has not got as far yet.


def _decision_steps(p: Planner, plan: Plan, accepted: datetime, *, reject: bool = False, late: bool = False) -> None:
    station, item = plan.station, plan.item
    reviewer = p.staff_at(station, second=True)
    counter = p.counter_user(plan)
    if item.is_instant:
        decided = p.later(accepted, 5, 25)
    else:
        review = p.workdays_after(accepted, p.rng.choice([0, 0, 1]))
        plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, reviewer))
        days = (
            item.promised_days + p.rng.randint(1, 3)
            if late
            else max(1, round(item.promised_days * p.rng.uniform(0.3, 1)))
        )
        decided = max(p.workdays_after(accepted, days), review + timedelta(minutes=10))
    if reject:
        plan.steps.append(
            Step(decided, CaseEvent.DECIDE_REJECT.value, reviewer, EventInput(reason=p.rng.choice(REJECT_REASONS)))
        )
        delivered = p.workdays_after(decided, p.rng.randint(0, 2))
        plan.steps.append(Step(delivered, CaseEvent.DELIVER.value, counter, EventInput(delivery_mode="COUNTER")))
        return
    plan.steps.append(Step(decided, CaseEvent.DECIDE_APPROVE.value, reviewer, EventInput(note="经审查符合条件")))
    issued = p.later(decided, 10, 60) if item.is_instant else p.workdays_after(decided, p.rng.randint(0, 1))
    plan.steps.append(Step(issued, CaseEvent.ISSUE.value, p.staff_at(station)))
    mode = p.rng.choice(DELIVERY_MODES)
    delivered = p.later(issued, 5, 60) if mode == "COUNTER" else p.workdays_after(issued, p.rng.randint(1, 3))
    plan.steps.append(Step(delivered, CaseEvent.DELIVER.value, counter, EventInput(delivery_mode=mode)))


def done_case(
    p: Planner,
    station: Station,
    *,
    instant: bool,
    reject: bool = False,
    enterprise: Enterprise | None = None,
    online: float = 0.15,
    stop: CaseEvent | None = None,
) -> Plan:
    """Accepted, decided, issued, delivered (or as far as it has got by now).

    With ``stop`` the case was received in the last few days and has got exactly as far as that event.
    """
    item = p.pick_item(station, instant=instant, online=online >= 1)
    enterprise = enterprise or p.pick_enterprise(station)
    received = p.moment(p.recent_day(2) if stop else p.any_day())
    plan = p.plan(station, item=item, enterprise=enterprise, received_at=received, online=p.rng.random() < online)
    accepted = p.later(received, 3, 20)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    _decision_steps(p, plan, accepted, reject=reject, late=not instant and not stop and p.rng.random() < 0.1)
    if stop is not None:
        last = next(n for n, step in enumerate(plan.steps) if step.action == stop.value)
        del plan.steps[last + 1 :]
        _squeeze(p, plan)
    return plan


def _squeeze(p: Planner, plan: Plan) -> None:
    """Move a recent case's steps into the past (before ``latest``), keeping their order."""
    overflow = [step for step in plan.steps if step.at > p.latest]
    if not overflow:
        return
    gap = (p.latest - plan.received_at) / (len(plan.steps) + 1)
    for n, step in enumerate(plan.steps, start=1):
        step.at = (plan.received_at + gap * n).replace(microsecond=0)


def open_case(p: Planner, station: Station, colour: WarnLevel, enterprise: Enterprise | None = None) -> Plan | None:
    """A committed case still under way that shows ``colour`` today."""
    for _ in range(10):
        item = p.pick_item(station, instant=False)
        accepted = p.accept_moment(item, colour)
        if accepted is not None:
            break
    else:
        return None
    received = max(datetime.combine(accepted.date(), OPEN_DAY), accepted - timedelta(minutes=p.rng.randint(5, 30)))
    plan = p.plan(station, item=item, enterprise=enterprise or p.pick_enterprise(station), received_at=received)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    if p.rng.random() < 0.7:
        review = p.later(accepted, 30, 180)
        if review <= p.latest:
            plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, p.staff_at(station, second=True)))
    return plan


def received_case(p: Planner, station: Station, enterprise: Enterprise | None = None, *, online: bool = False) -> Plan:
    """Taken in (or filed online) today or on the last working day, not yet accepted."""
    received = p.moment(p.recent_day(1))
    materials = "complete" if online or p.rng.random() < 0.7 else "missing_main"
    return p.plan(
        station,
        item=p.pick_item(station, online=online),
        enterprise=enterprise or p.pick_enterprise(station),
        received_at=received,
        materials=materials,
        online=online,
    )


def correction_case(p: Planner, station: Station, *, resolved: bool) -> Plan:
    """A one-time correction notice; still waiting for the applicant, or corrected and then handled to the end."""
    received = p.moment(p.any_day() if resolved else p.recent_day(6))
    item = p.pick_item(station)
    plan = p.plan(
        station, item=item, enterprise=p.pick_enterprise(station), received_at=received, materials="missing_main"
    )
    counter = p.counter_user(plan)
    notice = p.later(received, 5, 30)
    plan.steps.append(
        Step(notice, CaseEvent.REQUEST_CORRECTION.value, counter, EventInput(note=p.rng.choice(CORRECTION_NOTES)))
    )
    if resolved:
        back = p.workdays_after(notice, p.rng.randint(1, 3))
        plan.steps.append(Step(back, "provide", counter))
        plan.steps.append(Step(back, CaseEvent.CORRECTION_DONE.value, counter, EventInput(note="申请人已补正")))
        accepted = p.later(back, 5, 20)
        plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, counter))
        _decision_steps(p, plan, accepted)
    return plan


def paused_case(p: Planner, station: Station) -> Plan:
    """Under review when a correction notice stopped the clock (PAUSED)."""
    item = p.pick_item(station, instant=False)
    received = p.moment(p.recent_day(3))
    plan = p.plan(station, item=item, enterprise=p.pick_enterprise(station), received_at=received)
    accepted = p.later(received, 5, 20)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    review = p.later(accepted, 30, 120)
    reviewer = p.staff_at(station, second=True)
    plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, reviewer))
    notice = p.later(review, 60, 240)
    plan.steps.append(
        Step(notice, CaseEvent.REQUEST_CORRECTION.value, reviewer, EventInput(note=p.rng.choice(CORRECTION_NOTES)))
    )
    return plan


def closed_early_case(p: Planner, station: Station, event: CaseEvent) -> Plan:
    """Refused (不予受理) or withdrawn before acceptance."""
    received = p.moment(p.any_day())
    plan = p.plan(
        station,
        item=p.pick_item(station),
        enterprise=p.pick_enterprise(station),
        received_at=received,
        materials="missing_main" if event is CaseEvent.REFUSE else "complete",
    )
    at = p.later(received, 10, 90)
    if event is CaseEvent.REFUSE:
        data = EventInput(reason=p.rng.choice(REFUSAL_REASONS))
    else:
        data = EventInput(reason=p.rng.choice(WITHDRAW_NOTES))
    plan.steps.append(Step(at, event.value, p.counter_user(plan), data))
    return plan


def recalled_case(p: Planner, station: Station, enterprise: Enterprise) -> Plan:
    """The applicant recalls (撤回) after acceptance, from its own account."""
    item = p.pick_item(station, instant=False)
    received = p.moment(p.recent_day(30))
    plan = p.plan(station, item=item, enterprise=enterprise, received_at=received)
    accepted = p.later(received, 5, 20)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    recall = p.workdays_after(accepted, 1)
    user = p.enterprise_user[enterprise.id]
    plan.steps.append(Step(recall, CaseEvent.RECALL.value, user, EventInput(reason="企业经营计划调整,主动撤回")))
    return plan


def rongque_case(p: Planner, station: Station, stage: str, enterprise: Enterprise | None = None) -> Plan:
    """容缺受理 with its ledger at ``stage``: pending, supplied, verified (then approved and delivered),
    approved (APPROVED_RQ, waiting for issue), overdue (deadline passed, still pending) or terminated."""
    item = p.pick_item(station, rongque=True)
    back = {"pending": 1, "supplied": 3, "verified": 40, "approved": 6, "overdue": 9, "terminated": 25}[stage]
    day = p.recent_day(back) if stage in ("pending", "supplied") else p.workdays[min(back, len(p.workdays) - 1)]
    received = p.moment(day)
    if enterprise is None:
        enterprise = p.pick_enterprise(station)
    plan = p.plan(station, item=item, enterprise=enterprise, received_at=received, materials="missing_minor")
    counter = p.counter_user(plan)
    accepted = p.later(received, 5, 20)
    plan.steps.append(
        Step(
            accepted,
            CaseEvent.ACCEPT_WITH_DEFICIENCY.value,
            counter,
            EventInput(commitment_signed=True, note="申请人签署容缺受理承诺书"),
        )
    )
    reviewer = p.staff_at(station, second=True)
    review = p.later(accepted, 30, 150)
    plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, reviewer))
    if stage in ("pending", "overdue"):
        return plan
    if stage == "terminated":
        terminate = p.workdays_after(accepted, min(item.promised_days, 5) + 2)
        plan.steps.append(
            Step(terminate, CaseEvent.TERMINATE.value, p.staff_at(station), EventInput(reason="容缺材料逾期未补齐"))
        )
        return plan
    supplied = p.workdays_after(accepted, 1)
    plan.steps.append(Step(supplied, "supply", counter))
    if stage == "supplied":
        return plan
    plan.steps.append(Step(p.later(supplied, 20, 90), "verify", reviewer))
    decided = p.workdays_after(supplied, 1)
    plan.steps.append(Step(decided, CaseEvent.DECIDE_APPROVE.value, reviewer, EventInput(note="容缺材料已补齐核验")))
    if stage == "approved":
        return plan
    issued = p.workdays_after(decided, 1)
    plan.steps.append(Step(issued, CaseEvent.ISSUE.value, p.staff_at(station)))
    plan.steps.append(
        Step(p.later(issued, 10, 60), CaseEvent.DELIVER.value, counter, EventInput(delivery_mode="COUNTER"))
    )
    return plan


def build_plans(p: Planner, random_cases: int = RANDOM_CASES) -> list[Plan]:
    rng = p.rng
    stations = p.stations
    by_name = {e.name: e for e in p.enterprises}
    gd = next(e for e in p.enterprises if "光电子" in e.name)
    qn = next(e for e in p.enterprises if "氢能装备" in e.name)
    plans: list[Plan | None] = []

    # Today's colours at every station, two of each at the main ones; the demo enterprises have theirs too.
    for code, station in stations.items():
        for colour in (WarnLevel.GREEN, WarnLevel.YELLOW, WarnLevel.RED):
            for _ in range(2 if code in MAIN_STATIONS else 1):
                plans.append(open_case(p, station, colour))
    for colour in (WarnLevel.GREEN, WarnLevel.YELLOW, WarnLevel.RED):
        plans.append(open_case(p, stations["LL"], colour, gd))
        plans.append(open_case(p, stations["QH"], colour, qn))
    plans.append(open_case(p, stations["ZX"], WarnLevel.YELLOW, gd))  # a client of clerk-ll at another station

    # The 容缺 ledger: pending, supplied, verified, approved, one overdue, one terminated.
    plans += [
        rongque_case(p, stations["LL"], "pending", gd),
        rongque_case(p, stations["QH"], "pending", qn),
        rongque_case(p, stations["HZ"], "pending"),
        rongque_case(p, stations["LL"], "supplied"),
        rongque_case(p, stations["QH"], "supplied", qn),
        rongque_case(p, stations["LL"], "verified", gd),
        rongque_case(p, stations["ZX"], "verified"),
        rongque_case(p, stations["YD1"], "verified"),
        rongque_case(p, stations["QH"], "approved"),
        rongque_case(p, stations["LL"], "overdue", by_name.get("泾河示例智能装备有限公司")),
        rongque_case(p, stations["ZX"], "terminated", by_name.get(TERMINATED_ENTERPRISE)),
    ]
    plans += [recalled_case(p, stations["LL"], gd), recalled_case(p, stations["QH"], qn)]
    plans += [paused_case(p, stations[code]) for code in ("LL", "QH", "ZX")]

    # Every other status at least once, whatever the random part below draws.
    for code in stations:
        plans.append(received_case(p, stations[code]))
    plans += [
        correction_case(p, stations["LL"], resolved=False),
        correction_case(p, stations["HZ"], resolved=True),
        closed_early_case(p, stations["LL"], CaseEvent.REFUSE),
        closed_early_case(p, stations["QH"], CaseEvent.WITHDRAW),
        done_case(p, stations["LL"], instant=True, stop=CaseEvent.DECIDE_APPROVE),
        done_case(p, stations["ZX"], instant=False, stop=CaseEvent.DECIDE_APPROVE),
        done_case(p, stations["LL"], instant=True, enterprise=gd, stop=CaseEvent.ISSUE),
        done_case(p, stations["QH"], instant=True, stop=CaseEvent.ISSUE),
        done_case(p, stations["HZ"], instant=False, stop=CaseEvent.ISSUE),
        done_case(p, stations["YD1"], instant=False, reject=True, stop=CaseEvent.DECIDE_REJECT),
        done_case(p, stations["QH"], instant=False, reject=True),
        done_case(p, stations["LL"], instant=True, enterprise=gd, online=1.0),  # filed online from ent-gd's account
        received_case(p, stations["QH"], qn, online=True),  # an online application waiting at QH
    ]

    scenarios: list[tuple[float, Callable[[Station], Plan]]] = [
        (62, lambda s: done_case(p, s, instant=True)),
        (18, lambda s: done_case(p, s, instant=False)),
        (3, lambda s: done_case(p, s, instant=False, reject=True)),
        (4, lambda s: received_case(p, s)),
        (3, lambda s: correction_case(p, s, resolved=False)),
        (2, lambda s: correction_case(p, s, resolved=True)),
        (3, lambda s: closed_early_case(p, s, CaseEvent.REFUSE)),
        (2, lambda s: closed_early_case(p, s, CaseEvent.WITHDRAW)),
    ]
    weights = [w for w, _ in scenarios]
    codes = list(STATION_WEIGHTS)
    station_weights = [STATION_WEIGHTS[c] for c in codes]
    for _ in range(random_cases):
        station = stations[rng.choices(codes, station_weights)[0]]
        plans.append(rng.choices(scenarios, weights)[0][1](station))
    # The demo enterprises' own history, a good part of it filed online from their accounts.
    for _ in range(random_cases // 15):
        plans.append(done_case(p, stations["LL"], instant=True, enterprise=gd, online=0.4))
        plans.append(done_case(p, stations["QH"], instant=True, enterprise=qn, online=0.4))
    return sorted((plan for plan in plans if plan is not None), key=lambda plan: plan.received_at)
