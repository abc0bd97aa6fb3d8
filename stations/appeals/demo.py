"""Demo appeals and service-log entries, built through the services (fictional, marked as such).

The six appeals of domain.md §6.5 always; with ``full`` about 150 more over the past year across channels and
states (most closed, as the report's 147/147), and service-log entries of comm-ll and the demo clerks.
Idempotent: nothing is added when demo appeals exist already.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import Role, User
from ..calendar.services import pinned_calendar
from ..catalog.models import Department
from ..domain.appeal_flow import Actor, AppealEvent, Feedback, Urgency
from ..enterprises.models import Enterprise
from ..extensions import db
from ..timeutil import BUSINESS_TZ, business_today, utcnow
from .models import Appeal, Category, LogKind, Nature, ServiceLogEntry, SourceChannel
from .services import EventInput, RegisterInput, apply_event, register

# enterprise (name part), channel, category, nature, urgency, department code, description, steps to run
SIX = [
    (
        "示例光电子",
        "VISIT",
        "ENTERPRISE_SETUP",
        "HELP",
        "NORMAL",
        "SCJG",
        "(示例)子公司名称自主申报两次被驳回,请协助说明原因。",
        "closed",
    ),
    (
        "示例氢能",
        "HOTLINE_12345",
        "MARKET_ACCESS",
        "CONSULT",
        "NORMAL",
        "SCJG",
        "(示例)员工食堂办理食品经营许可的条件不清楚。",
        "replied",
    ),
    (
        "示例光电子",
        "CLERK",
        "GOV_SERVICE",
        "HELP",
        "URGENT",
        "GJJ",
        "(示例)公积金跨区转移在合作区卡住,职工急需办理。",
        "in_progress",
    ),
    (
        "荟智示例",
        "LIAISON",
        "SUPERVISION_ENFORCEMENT",
        "COMPLAINT",
        "COMPLEX",
        "SCJG",
        "(示例)一个月内被不同科室重复检查三次。",
        "signed",
    ),
    (
        "示例氢能",
        "MINIPROGRAM",
        "POLICY_FULFILMENT",
        "HELP",
        "NORMAL",
        "FZJJ",
        "(示例)研发费用补贴已公示但尚未拨付。",
        "assigned",
    ),
    (
        "原点示例",
        "SUPERVISOR_VOLUNTEER",
        "SME_ARREARS",
        "COMPLAINT",
        "COMPLEX",
        "KFJS",
        "(示例)某国有开发商拖欠装修款。",
        "registered",
    ),
]
STEPS = ["registered", "assigned", "signed", "in_progress", "replied", "closed"]
CHANNEL_MIX = [
    "HOTLINE_12345", "HOTLINE_12345", "HOTLINE_12345", "HAO_BANGSHOU", "MINIPROGRAM", "LIAISON",
    "SUPERVISOR_VOLUNTEER", "NEW_AREA_ASSIGNED", "VISIT", "VISIT", "TAKEOUT", "CLERK", "FALLBACK_WINDOW", "PHONE",
]  # fmt: skip
DEPARTMENTS = ["SCJG", "SB", "SW", "GJJ", "FZJJ", "KFJS", "GJ", "BDC"]
LOG_KINDS = [LogKind.VISIT] * 3 + [LogKind.CALL] * 6 + [LogKind.AGENCY, LogKind.POLICY, LogKind.PROBLEM]


def _run(
    appeal: Appeal, target: str, actors: dict, department_id: int, start: datetime, *, unsatisfied=False, basic=False
):
    """Walk ``appeal`` to ``target`` with one step a working-ish day apart (never in the future)."""
    now = utcnow()
    moment = start
    steps = STEPS[1 : STEPS.index(target) + 1]

    def fire(event: AppealEvent, who: str, **kw) -> None:
        nonlocal moment
        moment = min(moment + timedelta(hours=20), now)
        user, actor = actors[who]
        apply_event(appeal, EventInput(event=event, **kw), user, actor, at=moment, notify=False)

    for step in steps:
        if step == "assigned":
            fire(AppealEvent.ASSIGN, "sup", department_id=department_id, due_on=appeal.due_on)
        elif step == "signed":
            fire(AppealEvent.SIGN, "dept")
        elif step == "in_progress":
            fire(AppealEvent.FIRST_CONTACT, "dept")
        elif step == "replied":
            fire(
                AppealEvent.REPLY, "dept", reply_text="(示例)已协调承办科室解决并书面答复。", signed_off_by="(示例)科长"
            )
        elif step == "closed":
            if unsatisfied:
                fire(AppealEvent.CALLBACK, "front", feedback=Feedback.UNSATISFIED)
                fire(AppealEvent.REOPEN, "front")
                fire(AppealEvent.REPLY, "dept", reply_text="(示例)再次核实后已解决。", signed_off_by="(示例)科长")
            fire(AppealEvent.CALLBACK, "front", feedback=Feedback.BASIC if basic else Feedback.SATISFIED)


def _actors(station_code_user: User | None) -> dict:
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))
    return {
        "sup": (admin, Actor.SUPERVISOR),
        "dept": (None, Actor.DEPARTMENT),
        "front": (station_code_user, Actor.FRONT),
    }


def seed_demo_appeals(*, full: bool = True) -> None:
    if db.session.scalar(select(Appeal.id).limit(1)) is not None:
        return
    enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    staff_ll = db.session.scalar(select(User).where(User.username == "staff-ll"))
    actors = _actors(staff_ll)
    today = business_today()
    with pinned_calendar():
        for offset, (part, channel, category, nature, urgency, dept, text, target) in enumerate(SIX):
            enterprise = next(e for e in enterprises if part in e.name)
            at = utcnow() - timedelta(days=12 - offset * 2)
            appeal = _register(enterprise, channel, category, nature, urgency, text, staff_ll, at)
            _run(appeal, target, actors, departments[dept].id, at)
        if full:
            _seed_year(enterprises, departments, actors, today)
            _seed_logs(enterprises, today)


def _register(enterprise, channel, category, nature, urgency, text, user, at) -> Appeal:
    data = RegisterInput(
        source_channel=SourceChannel(channel),
        category=Category(category),
        nature=Nature(nature),
        urgency=Urgency(urgency),
        description=text,
        enterprise=enterprise,
        contact_name="(示例)联系人",
    )
    return register(data, user, at=at, notify=False)


def _seed_year(enterprises, departments, actors, today) -> None:
    rng = random.Random(13)  # noqa: S311  (demo data, not secrets)
    for n in range(150):
        days_ago = int(360 * (1 - n / 150)) + 1
        day = today - timedelta(days=days_ago)
        local = datetime.combine(day, time(9 + n % 7, 10), tzinfo=BUSINESS_TZ)
        at = local.astimezone(UTC).replace(tzinfo=None)
        enterprise = rng.choice(enterprises)
        category = rng.choice(list(Category)[:6])
        urgency = rng.choice([Urgency.NORMAL] * 6 + [Urgency.COMPLEX, Urgency.URGENT])
        appeal = _register(
            enterprise, rng.choice(CHANNEL_MIX), category, rng.choice(list(Nature)[:5]), urgency,
            f"(示例)企业诉求 第{n + 1}号", None, at,
        )  # fmt: skip
        target = "closed" if days_ago > 20 else STEPS[n % len(STEPS)]
        _run(
            appeal,
            target,
            actors,
            departments[rng.choice(DEPARTMENTS)].id,
            at,
            unsatisfied=n % 17 == 0,
            basic=n % 9 == 0,
        )


def _seed_logs(enterprises, today) -> None:
    rng = random.Random(31)  # noqa: S311  (demo data, not secrets)
    authors = list(db.session.scalars(select(User).where(User.username.in_(["comm-ll", "clerk-ll", "clerk-qh"]))))
    for author in authors:
        own = [e for e in enterprises if e.station_id == author.station_id] or enterprises
        for back in range(0, 90):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            for _ in range(rng.randint(1, 3)):
                kind = rng.choice(LOG_KINDS)
                db.session.add(
                    ServiceLogEntry(
                        author_id=author.id,
                        enterprise_id=rng.choice(own).id,
                        kind=kind,
                        day=day,
                        note="(示例)" + {"VISIT": "入企走访", "CALL": "电话回访"}.get(kind.value, "服务记录"),
                        solved=kind is LogKind.PROBLEM and rng.random() < 0.8,
                    )
                )
    db.session.flush()
