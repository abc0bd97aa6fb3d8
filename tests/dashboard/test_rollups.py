"""The daily roll-ups stay equal to a recount from the cases, and the period figures read from them equal the live
figures (issue 6, scale): written through the services around the 2025/2026 year end (1-3 January 2026 are public
holidays, Sunday 4 January a make-up working day), with varied paths, stations, items and late decisions.
"""

from __future__ import annotations

import random
import threading
from datetime import date, datetime, timedelta

from sqlalchemy import select

from stations.crossregion.models import PartnerRegion, Transfer, TransferDirection
from stations.dashboard import period_queries, rollup_rebuild, rollups
from stations.dashboard.rollups import DailyCaseFigures, DailyHandlerFigures, DailyRatingFigures
from stations.database import write_intent
from stations.demo.scale import add_synthetic_cases
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.ratings import services as rating_services
from stations.ratings.models import Rating
from stations.timeutil import business_day
from tests import factories as f
from tests.helpers.cases import fire, utc

START = utc("2025-12-22 09:00")
PERIODS = [
    (date(2025, 12, 1), date(2025, 12, 31)),
    (date(2026, 1, 1), date(2026, 1, 31)),
    (date(2025, 12, 31), date(2026, 1, 4)),  # across the year end and the holiday
    (date(2026, 1, 1), date(2026, 1, 3)),  # the holiday alone
    (date(2025, 1, 1), date(2026, 12, 31)),
]
STAFF = {"LL": "staff-ll", "QH": "staff-qh"}


def snapshot() -> dict:
    """Both roll-up tables as {key: counts}, rows that are all zero left out (deltas may leave such rows)."""
    cases = {
        (r.day, r.station_id, r.channel): tuple(getattr(r, n) for n in rollups.CASE_COUNTS)
        for r in db.session.scalars(select(DailyCaseFigures))
    }
    handlers = {
        (r.day, r.station_id, r.handler_id): (r.concluded, r.late)
        for r in db.session.scalars(select(DailyHandlerFigures))
    }
    ratings = {(r.day, r.station_id): (r.rated, r.satisfied) for r in db.session.scalars(select(DailyRatingFigures))}
    return {
        "cases": {k: v for k, v in cases.items() if any(v)},
        "handlers": {k: v for k, v in handlers.items() if any(v)},
        "ratings": {k: v for k, v in ratings.items() if any(v)},
    }


def _moment(rng: random.Random, after: datetime, max_days: int) -> datetime:
    """A hall-hours moment 0..max_days calendar days after ``after`` (holidays included on purpose).

    01:00-08:59 UTC is 09:00-16:59 in Beijing; a moment before ``after`` on the same day is ``after`` itself."""
    day = after + timedelta(days=rng.randint(0, max_days))
    moment = day.replace(hour=1 + rng.randint(0, 7), minute=rng.randint(0, 59))
    return max(moment, after)


def build_varied_cases(seed: int = 11, *, owner: f.Client | None = None) -> list:
    """About thirty cases of ``owner`` (a new client when none is given) on random paths: received only, accepted,
    decided on time or late, corrected, 容缺-accepted, instant items decided at once; some decided on the holiday or
    across the year end."""
    owner = owner or f.make_client()
    rng = random.Random(seed)
    made = []
    # Fixed ones first: accepted before the year end and the holiday, decided after them (on time and late).
    for received, promised, decided in (
        ("2025-12-31 10:00", 5, "2026-01-05 11:00"),
        ("2025-12-30 15:00", 1, "2026-01-06 09:30"),
    ):
        case = f.make_case(enterprise=owner.enterprise, now=utc(received))
        case.item.promised_days = promised
        fire(case, CaseEvent.ACCEPT, now=utc(received) + timedelta(minutes=5))
        fire(case, CaseEvent.START_REVIEW, now=utc(received) + timedelta(minutes=30))
        made.append(fire(case, CaseEvent.DECIDE_APPROVE, now=utc(decided)))
    for index in range(30):
        code = rng.choice(["LL", "QH"])
        by = STAFF[code]
        received = START + timedelta(days=rng.randint(0, 14), hours=rng.randint(0, 7), minutes=index)
        path = rng.choice(["received", "accepted", "decided", "corrected", "rongque", "instant", "instant"])
        if path == "rongque" and code == "LL":
            case = f.make_case(
                enterprise=owner.enterprise,
                rongque=True,
                materials="missing_minor",
                now=received,
                station_code=code,
                by=by,
            )
            fire(
                case,
                CaseEvent.ACCEPT_WITH_DEFICIENCY,
                by=by,
                now=received + timedelta(minutes=5),
                commitment_signed=True,
            )
        elif path == "instant":
            case = f.make_case(enterprise=owner.enterprise, instant=True, now=received, station_code=code, by=by)
            fire(case, CaseEvent.ACCEPT, by=by, now=received + timedelta(minutes=3))
            if rng.random() < 0.8:
                decision = CaseEvent.DECIDE_APPROVE if rng.random() < 0.7 else CaseEvent.DECIDE_REJECT
                # Sometimes the next day: an instant case decided late.
                fire(case, decision, by=by, now=_moment(rng, received + timedelta(minutes=10), 2), note="不符合条件")
        else:
            case = f.make_case(enterprise=owner.enterprise, now=received, station_code=code, by=by)
            case.item.promised_days = rng.choice([1, 2, 5, 20])
            if path != "received":
                accepted = received + timedelta(minutes=rng.randint(5, 90))
                fire(case, CaseEvent.ACCEPT, by=by, now=accepted)
                if path in ("decided", "corrected"):
                    review = accepted + timedelta(minutes=20)
                    fire(case, CaseEvent.START_REVIEW, by=by, now=review)
                    last = review
                    if path == "corrected":
                        asked = _moment(rng, review, 2)
                        fire(case, CaseEvent.REQUEST_CORRECTION, by=by, now=asked, note="请补正")
                        last = _moment(rng, asked + timedelta(hours=1), 4)
                        fire(case, CaseEvent.CORRECTION_DONE, by=by, now=last)
                    fire(case, CaseEvent.DECIDE_APPROVE, by=by, now=_moment(rng, last + timedelta(minutes=5), 8))
        made.append(case)
    # The enterprise rates some delivered cases (1-5, the low ones open a rectification), over several days.
    for case in [c for c in made if c.status.value == "APPROVED" and c.enterprise_id == owner.enterprise.id][:6]:
        fire(case, CaseEvent.ISSUE, by=STAFF[case.station.code], now=case.decided_at + timedelta(hours=1))
        fire(case, CaseEvent.DELIVER, by=STAFF[case.station.code], now=case.decided_at + timedelta(hours=2))
        level = rng.randint(1, 5)
        rating_services.rate_case(
            case,
            owner.account,
            level=level,
            reasons=["SLOW"] if level <= 2 else [],
            now=case.decided_at + timedelta(days=1),
        )
    db.session.flush()
    return made


def test_rollups_after_orm_writes_equal_a_full_rebuild(app):
    made = build_varied_cases()
    assert any(c.decided_at and c.overdue_at and c.decided_at > c.overdue_at for c in made)  # some late
    assert any(c.is_rongque for c in made) and any(c.is_instant for c in made)
    spans = [(business_day(c.accepted_at), business_day(c.decided_at)) for c in made if c.decided_at and c.accepted_at]
    # Some decisions are counted across the year end and the New Year holiday (1-3 January 2026).
    assert any(accepted <= date(2025, 12, 31) and decided >= date(2026, 1, 4) for accepted, decided in spans)
    # Direct ORM changes (not through the services) are caught too: a case moved to another station and channel,
    # a deadline moved so that a decided case becomes late, a first handler changed.
    decided = next(c for c in made if c.decided_at is not None and c.accepted_at is not None)
    decided.overdue_at = decided.decided_at - timedelta(hours=1)
    decided.first_handler_id = f.user("staff-qh").id
    moved = next(c for c in made if c is not decided)
    moved.station_id = f.station("HZ").id
    moved.channel = "COMPREHENSIVE"
    ratings = list(db.session.scalars(select(Rating).order_by(Rating.id)))
    assert len(ratings) >= 3
    ratings[0].is_invalidated = True  # a rating invalidated on review no longer counts
    db.session.flush()

    incremental = snapshot()
    assert sum(v[0] for v in incremental["cases"].values()) >= len(made)  # received
    rollup_rebuild.rebuild_rollups()
    assert snapshot() == incremental


def test_period_figures_from_rollups_equal_the_live_figures(app):
    build_varied_cases(seed=5)
    for user in ("central", "admin", "staff-ll", "staff-qh"):
        for start, end in PERIODS:
            fast = period_queries.period_report(f.user(user), start, end)
            live = period_queries.period_report_live(f.user(user), start, end)
            assert fast.figures == live.figures, (user, start, end)
            assert fast.by_day == live.by_day and fast.by_channel == live.by_channel
            assert [(u.id, n, late) for u, n, late in fast.ranking] == [(u.id, n, late) for u, n, late in live.ranking]
    year = period_queries.period_report(f.user("central"), date(2025, 1, 1), date(2026, 12, 31)).figures
    assert year.received >= 30 and year.concluded >= 1 and year.mean_days_to_decision is not None
    assert year.ratings >= 3 and year.bad_reviews_due + year.ratings_satisfied >= 1
    ll = period_queries.period_report(f.user("staff-ll"), date(2025, 1, 1), date(2026, 12, 31)).figures
    assert 0 < ll.received < year.received  # the station's own cases only


def test_scopes_the_rollups_cannot_serve_stay_live(app, gd):
    build_varied_cases(seed=3, owner=gd)
    assert period_queries.rollup_scope(f.user("central"), DailyCaseFigures.station_id) is not None
    assert period_queries.rollup_scope(f.user("clerk-ll"), DailyCaseFigures.station_id) is None
    assert period_queries.rollup_scope(gd.account, DailyCaseFigures.station_id) is None
    clerk = period_queries.period_report(f.user("clerk-ll"), date(2025, 12, 1), date(2026, 1, 31)).figures
    assert clerk == period_queries.period_report_live(f.user("clerk-ll"), date(2025, 12, 1), date(2026, 1, 31)).figures


def test_a_rolled_back_write_rolls_its_deltas_back(app):
    owner = f.make_client()  # made (and committed) outside the savepoint: only the case's writes roll back
    build_varied_cases(seed=8, owner=owner)
    before = snapshot()
    savepoint = db.session.begin_nested()
    case = f.make_case(now=utc("2025-12-30 10:00"), enterprise=owner.enterprise)
    fire(case, CaseEvent.ACCEPT, now=utc("2025-12-30 10:05"))
    db.session.flush()
    assert snapshot() != before
    savepoint.rollback()
    assert snapshot() == before


def test_bulk_synthetic_cases_rebuild_the_rollups(app):
    build_varied_cases(seed=2)
    add_synthetic_cases(300, station_codes=["LL", "QH"])
    db.session.flush()
    after_bulk = snapshot()
    assert sum(v[0] for v in after_bulk["cases"].values()) >= 330
    rollup_rebuild.rebuild_rollups()
    assert snapshot() == after_bulk
    for start, end in PERIODS:
        assert (
            period_queries.period_report(f.user("central"), start, end).figures
            == period_queries.period_report_live(f.user("central"), start, end).figures
        )


def test_rebuild_command(app):
    build_varied_cases(seed=4)
    incremental = snapshot()
    db.session.execute(DailyCaseFigures.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["dashboard", "rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "roll-ups rebuilt" in result.output
    assert snapshot() == incremental


def _transfer(partner: PartnerRegion, direction: TransferDirection, at: str, n: int, case_id=None) -> None:
    for index in range(n):
        db.session.add(
            Transfer(
                partner_id=partner.id,
                direction=direction,
                remote_case_no=f"R{partner.code}{direction.value[0]}{at[:10]}{index}",
                state="FORWARDED",
                forwarded_at=utc(at),
                case_id=case_id,
            )
        )


def test_cross_region_volume_by_partner(login_as):
    partners = list(db.session.scalars(select(PartnerRegion).order_by(PartnerRegion.sort_order, PartnerRegion.id)))
    first, second = partners[0], partners[1]
    _transfer(first, TransferDirection.OUTBOUND, "2025-12-31 16:00", 3)
    _transfer(first, TransferDirection.INBOUND, "2026-01-04 10:00", 1)
    _transfer(second, TransferDirection.INBOUND, "2026-01-05 10:00", 2)
    _transfer(second, TransferDirection.OUTBOUND, "2026-02-01 00:30", 5)  # 1 February in Beijing: outside January
    db.session.commit()

    central = f.user("central")
    volumes = {p.code: p for p in period_queries.partner_volumes(central, date(2025, 12, 1), date(2026, 1, 31))}
    assert len(volumes) == len(partners)  # every partner listed, zeros included
    assert (volumes[first.code].outbound, volumes[first.code].inbound, volumes[first.code].total) == (3, 1, 4)
    assert (volumes[second.code].outbound, volumes[second.code].inbound) == (0, 2)
    assert all(p.total == 0 for code, p in volumes.items() if code not in (first.code, second.code))
    january = {p.code: p for p in period_queries.partner_volumes(central, date(2026, 1, 1), date(2026, 1, 31))}
    assert january[first.code].total == 1 and january[second.code].total == 2

    client = login_as("central")
    html = client.get("/dashboard/figures?from=2025-12-01&to=2026-01-31").get_data(as_text=True)
    assert f'data-partner="{first.code}"' in html and "style=" not in html
    row = html.split(f'data-partner="{first.code}"')[1].split("</tr>")[0]
    assert 'data-direction="OUTBOUND">3<' in row and 'data-direction="INBOUND">1<' in row
    assert html.count("chart-bar") > 0
    body = client.get("/api/v1/metrics/period?from=2025-12-01&to=2026-01-31").get_json()
    api = {p["code"]: p for p in body["partners"]}
    assert api[first.code] == {"code": first.code, "name": first.name, "outbound": 3, "inbound": 1, "total": 4}
    assert api[second.code]["inbound"] == 2 and api[second.code]["outbound"] == 0


def test_figure_pages_query_count_does_not_grow_with_cases(login_as, count_queries):
    build_varied_cases(seed=6)
    client = login_as("central")
    client.get("/dashboard/figures?period=year")  # warm-up

    def page_queries(url: str) -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    urls = ["/dashboard/figures?period=year", "/dashboard/figures?from=2025-12-01&to=2026-01-31"]
    few = [page_queries(url) for url in urls]
    add_synthetic_cases(200, station_codes=["LL", "QH"])
    build_varied_cases(seed=7)
    db.session.commit()
    assert [page_queries(url) for url in urls] == few
    assert max(few) <= 14  # 12, plus 统一出证 and the back-office decisions (issue 12): two fixed queries


def test_concurrent_writers_never_lose_an_increment(app):
    """Two transactions add to the same roll-up row that does not exist yet: the second waits for the first's
    row (PostgreSQL) or the database lock (SQLite), then adds on top; neither increment is lost, no error."""
    key = (date(1999, 1, 4), f.station("LL").id, "STATION")
    row = select(DailyCaseFigures.received).where(DailyCaseFigures.day == key[0])
    engine = db.engine
    outcome: dict[str, object] = {}

    def second_writer() -> None:
        token = write_intent.set(True)  # as a POST request would (BEGIN IMMEDIATE on SQLite)
        try:
            with engine.begin() as conn:
                rollups.apply_deltas(conn, {(rollups.CASES, key): {"received": 2}})
            outcome["ok"] = True
        except Exception as error:  # reported by the assertion below
            outcome["error"] = error
        finally:
            write_intent.reset(token)

    token = write_intent.set(True)
    try:
        first = engine.connect()
        first.begin()
        rollups.apply_deltas(first, {(rollups.CASES, key): {"received": 1}})  # inserts the row, not committed yet
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive()  # waiting for the first transaction
        first.commit()
        first.close()
        thread.join(10)
        with engine.connect() as conn:
            received = conn.scalar(row)
    finally:
        write_intent.reset(token)
        with engine.begin() as conn:
            conn.execute(DailyCaseFigures.__table__.delete().where(DailyCaseFigures.day == key[0]))
    assert outcome == {"ok": True}
    assert received == 3
