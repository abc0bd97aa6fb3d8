"""Demo cases (built through the services) and synthetic scale cases (bulk inserts): consistent and idempotent."""

from __future__ import annotations

import collections
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from stations.calendar.services import current_calendar
from stations.cases.models import Case, CaseSequence, Deficiency
from stations.cases.queries import colour_condition, warn_level_expr, warn_level_of
from stations.demo import cases as demo_cases
from stations.demo.cases import DEMO_NOTE, seed_demo_cases
from stations.demo.scale import SYNTHETIC_NOTE, add_synthetic_cases, seed_synthetic_cases, synthetic_count
from stations.domain.case_vocabulary import CaseStatus
from stations.domain.deadlines import WarnLevel
from stations.domain.deficiency_flow import DeficiencyStatus
from stations.enterprises.models import CreditFlag
from stations.extensions import db
from stations.sites.models import Station
from stations.timeutil import business_today, utcnow
from tests import factories as f

REACHABLE = set(CaseStatus) - {
    CaseStatus.FORWARDED,
    CaseStatus.PARTNER_SIGNED,
    CaseStatus.SPECIAL,
}  # XR, 特别程序: not built
STATE_EVENTS_WITHOUT_VERSION = {"supply", "verify", "reject_supply"}  # 容缺 ledger records: the case row is untouched


def case_count(note: str) -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.note == note))


def test_demo_cases_cover_every_status_and_colour_and_seeding_twice_changes_nothing(app, uploads):
    added = seed_demo_cases(random_cases=0)  # the fixed scenarios only; seed-demo adds 200 random ones on top
    assert added == case_count(DEMO_NOTE) >= 60
    assert seed_demo_cases(random_cases=0) == 0
    assert case_count(DEMO_NOTE) == added

    cases = db.session.scalars(select(Case).where(Case.note == DEMO_NOTE)).all()
    assert {c.status for c in cases} == REACHABLE
    colours = collections.defaultdict(set)
    for case in cases:
        colours[case.station.code].add(warn_level_of(case))
    for station in db.session.scalars(select(Station)):
        assert {"green", "yellow", "red"} <= colours[station.code], station.code
    assert {"paused", "done"} <= set().union(*colours.values())

    today = business_today()
    ledger = db.session.scalars(select(Deficiency)).all()
    assert {d.status for d in ledger} == set(DeficiencyStatus)
    assert any(d.status is DeficiencyStatus.PENDING and d.supply_deadline < today for d in ledger)  # overdue
    assert all(d.document_id is not None for d in ledger if d.status is DeficiencyStatus.SUPPLIED)

    gd, qn = f.enterprise("光电子"), f.enterprise("氢能装备")
    assert gd.credit_flag is CreditFlag.NORMAL and qn.credit_flag is CreditFlag.NORMAL  # 容缺 still open to them
    assert len({c.station.code for c in cases if c.enterprise_id == gd.id}) >= 2
    assert any(c.enterprise_id == qn.id and c.station.code == "QH" for c in cases)
    assert any(c.channel.value == "ONLINE" for c in cases) and any(c.is_rongque for c in cases)

    now = utcnow()
    for case in cases:
        events = case.events
        assert events[0].event == "receive" and events[0].at == case.received_at, case.case_no
        assert [e.at for e in events] == sorted(e.at for e in events) and events[-1].at <= now, case.case_no
        assert events[-1].to_status == case.status.value, case.case_no
        assert case.version == len([e for e in events if e.event not in STATE_EVENTS_WITHOUT_VERSION]), case.case_no
        if case.accepted_at:
            assert case.due_on is not None and case.promised_days is not None


def test_seed_demo_command_twice_gives_the_same_cases(app, uploads, monkeypatch):
    monkeypatch.setattr(demo_cases, "RANDOM_CASES", 5)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = db.session.scalar(select(func.count(Case.id)))
    assert first > 60
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Case.id))) == first


def test_synthetic_cases_are_consistent_and_numbers_continue(app):
    calendar = current_calendar()
    day = business_today() - timedelta(days=1)
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    earlier = f.make_case(now=datetime.combine(day, time(1, 30)))  # 09:30 in Beijing, on a day the bulk also uses
    assert add_synthetic_cases(400, station_codes=["LL", "QH"]) == 400
    assert synthetic_count() == 400
    stations = set(db.session.scalars(select(Station.code).join(Case).where(Case.note == SYNTHETIC_NOTE)))
    assert stations == {"LL", "QH"}
    assert seed_synthetic_cases(400) == 0 and seed_synthetic_cases(410) == 10 and synthetic_count() == 410

    rows = db.session.scalars(select(Case).where(Case.note == SYNTHETIC_NOTE)).all()
    assert len({c.case_no for c in rows} | {earlier.case_no}) == len(rows) + 1
    statuses = collections.Counter(c.status for c in rows)
    assert statuses[CaseStatus.DELIVERED] > len(rows) / 2 and len(statuses) >= 4
    now = utcnow()
    for case in rows:
        assert case.received_at <= now
        if case.accepted_at:
            assert case.accepted_at >= case.received_at and case.due_on is not None
        if case.status is CaseStatus.DELIVERED:
            assert case.delivered_at >= case.received_at

    # The sequences know every number used: the next intake on a busy day takes the next number.
    last = {(s.station_id, s.day): s.last_seq for s in db.session.scalars(select(CaseSequence))}
    for case in rows:
        day_of = datetime.strptime(case.case_no[-12:-4], "%Y%m%d").date()
        assert last[(case.station_id, day_of)] >= int(case.case_no[-4:]), case.case_no
    busy = max(((k, v) for k, v in last.items() if k[0] == f.station("LL").id), key=lambda kv: (kv[1], kv[0][1]))
    later = f.make_case(now=datetime.combine(busy[0][1], time(8, 55)))  # 16:55 in Beijing
    assert later.case_no.endswith(f"{busy[1] + 1:04d}")


def test_colour_filter_matches_the_colour_expression(app):
    add_synthetic_cases(300, station_codes=["LL"])
    now = utcnow()
    today = business_today(now)
    level = warn_level_expr(now, today)
    for colour in WarnLevel:
        by_case = db.session.scalar(select(func.count(Case.id)).where(level == colour.value))
        by_columns = db.session.scalar(select(func.count(Case.id)).where(colour_condition(colour.value, now, today)))
        assert by_case == by_columns, colour
    assert db.session.scalar(select(func.count(Case.id)).where(colour_condition("purple", now, today))) == 0
    for case, expected in db.session.execute(select(Case, level)).all():
        assert warn_level_of(case, now) == expected, case.case_no


def test_seeding_scale_cases_refreshes_postgresqls_planner_statistics(app, uploads, monkeypatch):
    """A bulk load ends with ANALYZE on PostgreSQL (its plans follow statistics: issue 21); SQLite keeps none."""
    monkeypatch.setattr(demo_cases, "RANDOM_CASES", 5)
    result = app.test_cli_runner().invoke(args=["seed-demo", "--cases", str(synthetic_count() + 300)])
    assert result.exit_code == 0, result.output
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        assert "planner statistics refreshed (ANALYZE)" in result.output
        estimated = connection.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'cases'").scalar()
        assert estimated >= 0.9 * db.session.scalar(select(func.count(Case.id)))
    else:
        assert "ANALYZE" not in result.output
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").all()
        assert tables == []  # the plans stay those chosen without statistics (cases/queries.py no_index)
