"""Demo meetings and policy sessions (fictional, marked 示例), relative to the business day they are loaded on.

- Officials (约见对象): each of the three departments itself, its leader, and 开发建设部's 规划建设科; every demo
  pattern, slot and meeting points to one.
- Slots: 开发建设部 (部长, Tue and Thu 10:00 and 15:00), 人社 (科长, Mon and Wed 14:30), 工建审批 (科长, Fri 09:30),
  for the next three weeks of working days.
- The drainage-pipe meeting of domain.md §6.5: requested on day 0, contacted on day 0, held on day 2 (working days),
  closed with the enterprise's feedback.
- A dozen more meetings, at least one in every status; policy sessions past (with attendance and a replay) and
  upcoming (with sign-ups). Idempotent: nothing is added when demo meetings exist. Fast: plain inserts.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..calendar.services import current_calendar, pinned_calendar
from ..catalog.models import Department
from ..domain.meeting_flow import MeetingKind, MeetingStatus, meeting_deadlines
from ..domain.workdays import add_working_days
from ..enterprises.models import Enterprise
from ..extensions import db
from ..timeutil import business_to_utc, business_today
from .models import (
    AvailabilityPattern,
    Meeting,
    MeetingBooking,
    MeetingCommitment,
    MeetingEventRecord,
    Official,
    OfficialKind,
)
from .policy_models import PolicySession, SessionSignup, SignupState
from .slots import publish_week_slots

DRAINAGE_TOPIC = "雨污排水管网接驳时间安排(示例)"
PATTERNS = [  # department code, leader, weekday, start, location
    ("KFJS", "开发建设部 部长", 1, time(10, 0), "泾河新城管委会 3楼 会议室"),
    ("KFJS", "开发建设部 部长", 3, time(15, 0), "泾河新城管委会 3楼 会议室"),
    ("SB", "人社 科长", 0, time(14, 30), "政务服务中心 2楼 洽谈室"),
    ("SB", "人社 科长", 2, time(14, 30), "政务服务中心 2楼 洽谈室"),
    ("GJ", "工建审批 科长", 4, time(9, 30), "政务服务中心 1楼 工建专区"),
]
OFFICIALS = [  # department code, name ("" = the department itself), kind
    ("KFJS", "", OfficialKind.DEPARTMENT),
    ("KFJS", "开发建设部 部长", OfficialKind.LEADER),
    ("KFJS", "规划建设科", OfficialKind.SECTION),
    ("SB", "", OfficialKind.DEPARTMENT),
    ("SB", "人社 科长", OfficialKind.LEADER),
    ("GJ", "", OfficialKind.DEPARTMENT),
    ("GJ", "工建审批 科长", OfficialKind.LEADER),
]
# topic, enterprise index, department code, status, working days ago requested
MEETINGS = [
    ("厂房二期规划许可咨询(示例)", 0, "GJ", MeetingStatus.REQUESTED, 0),
    ("人才公寓申请条件(示例)", 1, None, MeetingStatus.REQUESTED, 1),
    ("氢能加注站用地(示例)", 1, "KFJS", MeetingStatus.CONTACTED, 1),
    ("光电子项目配套道路(示例)", 0, "KFJS", MeetingStatus.ROUTED, 1),
    ("社保补贴申领流程(示例)", 2, "SB", MeetingStatus.SCHEDULED, 2),
    ("厂区供电接入(示例)", 0, "KFJS", MeetingStatus.HELD, 4),
    ("研发补贴兑现进度(示例)", 1, "SB", MeetingStatus.FOLLOWING_UP, 6),
    ("消防验收预约(示例)", 2, "GJ", MeetingStatus.CLOSED, 9),
    ("临时用工社保(示例)", 3, "SB", MeetingStatus.CANCELLED, 3),
    ("营业执照变更(示例)", 3, None, MeetingStatus.REDIRECTED, 2),
    ("用地指标咨询(示例)", 0, "KFJS", MeetingStatus.SCHEDULED, 1),
]
SESSIONS = [  # title, theme, speakers, days from today, capacity, place, live
    ("2026年产业政策解读(示例)", "产业政策解读", "发展和经济运行部", -20, 60, "两链驿站 多功能厅", True),
    ("科技金融政策直播宣讲(示例)", "科技金融政策", "科技金融服务中心", -6, 100, "", True),
    ("人才政策宣讲会(示例)", "人才政策", "人社 科长", 5, 30, "政务服务中心 报告厅", False),
    ("工建审批全流程辅导(示例)", "工建审批辅导", "工建审批 科长", 12, 40, "政务服务中心 1楼 工建专区", True),
]


def _wd(day: date, count: int) -> date:
    """``count`` working days after (count > 0) or before (count < 0) ``day``."""
    calendar = current_calendar()
    if count >= 0:
        return add_working_days(day, count, calendar)
    while count < 0:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            count += 1
    return day


def seed_meetings(today: date | None = None) -> None:
    if db.session.scalar(select(Meeting.id).limit(1)) is not None:
        return
    today = today or business_today()
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    enterprises = list(
        db.session.scalars(select(Enterprise).where(Enterprise.name.like("%示例%")).order_by(Enterprise.id))
    )
    users = {u.username: u for u in db.session.scalars(select(User))}
    if not enterprises or "KFJS" not in departments or "staff-ll" not in users:
        return
    with pinned_calendar():  # one calendar read for the whole seed, not one per working-day step
        _seed(departments, enterprises, users, today)


def _seed(departments, enterprises, users, today: date) -> None:
    officials = _officials(departments)
    _slots(departments, officials, today)
    _drainage_meeting(enterprises[0], departments["KFJS"], users, today)
    for number, (topic, index, code, status, ago) in enumerate(MEETINGS, start=2):
        enterprise = enterprises[index % len(enterprises)]
        _meeting(number, topic, enterprise, departments.get(code) if code else None, status, ago, users, today)
    _link_meetings(officials)
    _sessions(enterprises, users, today)
    db.session.flush()


def _officials(departments) -> dict[tuple[int, str], Official]:
    """(department id, name) -> the demo official; kept when an administrator already added it."""
    known = {(o.department_id, o.name): o for o in db.session.scalars(select(Official))}
    for code, name, kind in OFFICIALS:
        if code in departments and (departments[code].id, name) not in known:
            official = Official(department_id=departments[code].id, name=name, kind=kind, is_active=True)
            db.session.add(official)
            known[(official.department_id, name)] = official
    db.session.flush()
    return known


def _link_meetings(officials) -> None:
    """Every demo meeting with a department points to its official: the leader booked, else the department."""
    for meeting in db.session.scalars(select(Meeting).where(Meeting.department_id.is_not(None))):
        official = officials.get((meeting.department_id, meeting.target_leader)) or officials.get(
            (meeting.department_id, "")
        )
        meeting.official_id = official.id if official else None


def _slots(departments, officials, today: date) -> None:
    for code, leader, weekday, start, location in PATTERNS:
        if code not in departments:
            continue
        official = officials.get((departments[code].id, leader))
        pattern = AvailabilityPattern(
            department_id=departments[code].id,
            leader=leader,
            official_id=official.id if official else None,
            weekday=weekday,
            start_time=start,
            location=location,
        )
        db.session.add(pattern)
        db.session.flush()
        publish_week_slots(pattern, today + timedelta(days=1), today + timedelta(days=21))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return business_to_utc(datetime.combine(day, time(hour, minute)))


def _base(number: int, topic: str, enterprise, department, requested_day: date, users) -> Meeting:
    requested_at = _at(requested_day, 9, 20)
    deadlines = meeting_deadlines(datetime.combine(requested_day, time(9, 20)), current_calendar())
    meeting = Meeting(
        meeting_no=f"YJ{requested_day:%Y%m%d}{9000 + number:04d}",
        kind=MeetingKind.MEET if number % 3 else MeetingKind.CONSULT,
        status=MeetingStatus.REQUESTED,
        enterprise_id=enterprise.id,
        station_id=enterprise.station_id or users["staff-ll"].station_id,
        department_id=department.id if department else None,
        topic=topic,
        description="",
        preferred_dates=[],
        requested_by_id=users["ent-gd"].id,
        requested_at=requested_at,
        contact_due_on=deadlines.contact_due_on,
        meeting_due_on=deadlines.meeting_due_on,
    )
    db.session.add(meeting)
    db.session.flush()
    _event(meeting, "request", None, "REQUESTED", requested_at, users["ent-gd"])
    return meeting


def _event(meeting, event, before, after, at, user, note="") -> None:
    db.session.add(
        MeetingEventRecord(
            meeting_id=meeting.id, event=event, from_status=before, to_status=after, actor_id=user.id, note=note, at=at
        )
    )


def _drainage_meeting(enterprise, department, users, today: date) -> None:
    day0 = _wd(today, -8)
    meeting = _base(1, DRAINAGE_TOPIC, enterprise, department, day0, users)
    meeting.description = "项目厂区雨污排水管网需接入市政管网,想了解开发建设部的接驳时间安排。"
    staff = users["staff-ll"]
    meeting.contacted_at, meeting.handler_id = _at(day0, 9, 40), staff.id
    meeting.routed_at = _at(day0, 11, 0)
    held = _wd(day0, 2)
    meeting.target_leader = "开发建设部 部长"
    meeting.starts_at, meeting.ends_at = _at(held, 10, 0), _at(held, 11, 0)
    meeting.location = "泾河新城管委会 3楼 会议室"
    meeting.held_at, meeting.minutes_at = meeting.starts_at, _at(held, 15, 0)
    meeting.minutes = "部长答复:市政雨污管网本月底完成施工,项目可于下月上旬接驳;接驳手续由开发建设部一并办理。"
    meeting.minutes_due_on = _wd(held, 1)
    meeting.feedback, meeting.feedback_at = "问题已解决,非常满意。", _at(_wd(held, 1), 10, 0)
    meeting.closed_at = _at(_wd(held, 1), 16, 0)
    meeting.status = MeetingStatus.CLOSED
    for event, before, after, at in (
        ("contact", "REQUESTED", "CONTACTED", meeting.contacted_at),
        ("route", "CONTACTED", "ROUTED", meeting.routed_at),
        ("schedule", "ROUTED", "SCHEDULED", _at(day0, 14, 0)),
        ("hold", "SCHEDULED", "HELD", meeting.minutes_at),
        ("close", "HELD", "CLOSED", meeting.closed_at),
    ):
        _event(meeting, event, before, after, at, staff)


def _meeting(number, topic, enterprise, department, status, ago, users, today) -> None:
    requested = _wd(today, -ago) if ago else today
    meeting = _base(number, topic, enterprise, department, requested, users)
    staff = users["staff-ll"]
    if status is MeetingStatus.REQUESTED:
        return
    meeting.contacted_at, meeting.handler_id = _at(requested, 10, 0), staff.id
    if status in (MeetingStatus.REDIRECTED, MeetingStatus.CANCELLED):
        meeting.cancel_reason = (
            "企业问题已电话答复,无需见面(示例)" if status is MeetingStatus.REDIRECTED else "企业另有安排"
        )
    if status not in (MeetingStatus.CONTACTED, MeetingStatus.REDIRECTED):
        meeting.routed_at = _at(requested, 11, 0)
    if status is MeetingStatus.SCHEDULED:
        _book_next_free(meeting)
    if status in (MeetingStatus.HELD, MeetingStatus.FOLLOWING_UP, MeetingStatus.CLOSED):
        held = _wd(requested, 2)
        meeting.starts_at, meeting.ends_at = _at(held, 15, 0), _at(held, 16, 0)
        meeting.location, meeting.held_at = "政务服务中心 2楼 洽谈室", _at(held, 15, 0)
        meeting.minutes, meeting.minutes_at = "部门答复了企业的问题(示例)。", _at(held, 17, 0)
        meeting.minutes_due_on = _wd(held, 1)
    if status is MeetingStatus.FOLLOWING_UP:
        db.session.add(
            MeetingCommitment(
                meeting_id=meeting.id, text="十个工作日内答复补贴拨付时间", owner="人社", due_on=_wd(today, 5)
            )
        )
    if status is MeetingStatus.CLOSED:
        meeting.feedback, meeting.closed_at = "满意", _at(_wd(requested, 3), 10, 0)
    meeting.status = status
    _event(meeting, "contact", "REQUESTED", str(status), meeting.contacted_at, staff)


def _book_next_free(meeting: Meeting) -> None:
    from .models import MeetingSlot

    booked = select(MeetingBooking.slot_id)
    slot = db.session.scalar(
        select(MeetingSlot)
        .where(MeetingSlot.department_id == meeting.department_id, MeetingSlot.id.not_in(booked))
        .order_by(MeetingSlot.starts_at)
        .limit(1)
    )
    if slot is None:
        return
    db.session.add(MeetingBooking(slot_id=slot.id, meeting_id=meeting.id))
    meeting.starts_at, meeting.ends_at, meeting.location = slot.starts_at, slot.ends_at, slot.location
    meeting.target_leader = slot.leader
    db.session.flush()


def _sessions(enterprises, users, today: date) -> None:
    enterprise_users = [u for u in users.values() if u.enterprise_id]
    for title, theme, speakers, days, capacity, place, live in SESSIONS:
        start = _at(today + timedelta(days=days), 14, 30)
        session = PolicySession(
            title=title,
            theme=theme,
            speakers=speakers,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place=place,
            live_url="https://live.example.org/jinghe/policy" if live else "",
            capacity=capacity,
            materials="政策原文(示例)\n申报指南(示例)",
            replay_url="https://live.example.org/jinghe/replay" if days < 0 else "",
        )
        db.session.add(session)
        db.session.flush()
        for user in enterprise_users:
            db.session.add(
                SessionSignup(
                    session_id=session.id,
                    enterprise_id=user.enterprise_id,
                    user_id=user.id,
                    state=SignupState.CONFIRMED,
                    token=secrets.token_urlsafe(18),
                    created_at=start - timedelta(days=3),
                    checked_in_at=start if days < 0 else None,
                )
            )
