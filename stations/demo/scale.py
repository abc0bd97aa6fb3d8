"""Synthetic cases for scale tests: ``flask --app wsgi seed-demo --cases N`` (contract.md "Command line").

Unlike the demo cases (demo/cases.py, built through the services), these are written with bulk Core INSERTs in
batches, so that 200,000 take seconds, not hours. They are still consistent with what the services would store:

* spread over every station and the working days of the last 12 months, in hall hours, newest ones still open;
* statuses follow a realistic timeline (accept minutes after receipt, decision within the promised limit for most,
  late for some, result issued and delivered days later; a few refused, withdrawn, recalled, in correction), cut
  off at the current time, so the recent cases are the open ones and their colours today are real;
* ``due_on`` / ``warn_on`` / ``overdue_at`` / ``due_provisional`` come from ``compute_deadline`` on the calendar
  table (cached per acceptance day and limit), case numbers continue ``CaseSequence`` per station and day, and
  the sequences are updated so that later intakes do not collide;
* about 5 % of them belong to the demo enterprises (so ``ent-gd`` and ``clerk-ll`` have long lists too), the rest
  to synthetic enterprises (one per ~100 cases, named 示例, created here).

Decision: synthetic cases have no material, deficiency or event rows (and are never 容缺): they exist to load the
lists, counters and colour queries. Their case page shows an empty timeline. They carry ``SYNTHETIC_NOTE``.
``seed_synthetic_cases(N)`` tops the synthetic cases up to N, so running ``seed-demo --cases N`` twice changes
nothing.
"""

from __future__ import annotations

import time as clock
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from ..cases.models import Case, CaseSequence
from ..dashboard.rollup_rebuild import rebuild_rollups
from ..enterprises.models import Enterprise, EnterpriseKind
from ..extensions import db
from ..timeutil import utcnow
from .reference import make_uscc
from .scale_timeline import (
    BATCH_SIZE,
    CASES_PER_ENTERPRISE,
    PLACES,
    SYNTHETIC_NOTE,
    SYNTHETIC_USCC_PREFIX,
    TRADES,
    SyntheticCaseGenerator,
)


def synthetic_count() -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.note == SYNTHETIC_NOTE)) or 0


def seed_synthetic_cases(target: int, *, now: datetime | None = None, report=None) -> int:
    """Top the synthetic cases up to ``target``; returns how many were added. The caller commits."""
    missing = target - synthetic_count()
    return add_synthetic_cases(missing, now=now, report=report) if missing > 0 else 0


def _ensure_enterprises(gen: SyntheticCaseGenerator, wanted: int) -> list[int]:
    """Ids of the synthetic enterprises, creating them up to ``wanted`` (bulk insert)."""

    existing = db.session.execute(select(Enterprise.id, Enterprise.uscc).where(_is_synthetic())).all()
    numbers = {int(uscc[12:17]) for _, uscc in existing}
    rows = []
    n = 0
    while len(numbers) + len(rows) < wanted:
        n += 1
        if n in numbers:
            continue
        individual = n % 10 == 0
        kind_code = "92" if individual else "91"
        station = gen.rng.choices(gen.stations, gen.station_weights)[0]
        name = f"{PLACES[n % len(PLACES)]}{TRADES[n % len(TRADES)]}示例{n:05d}" + (
            "经营部" if individual else "有限公司"
        )
        rows.append(
            {
                "name": name,
                "uscc": make_uscc(f"{kind_code}{SYNTHETIC_USCC_PREFIX}{n:05d}"),
                "kind": (EnterpriseKind.INDIVIDUAL_BUSINESS if individual else EnterpriseKind.ENTERPRISE).value,
                "station_id": station.id,
                "industry_tag": TRADES[n % len(TRADES)],
                "is_pilot": False,
                "is_verified": True,
                "credit_flag": "NORMAL",
                "contact_name": "示例联系人",
                "created_at": utcnow(),
            }
        )
    for start in range(0, len(rows), BATCH_SIZE):
        db.session.execute(insert(Enterprise.__table__), rows[start : start + BATCH_SIZE])
    return list(db.session.scalars(select(Enterprise.id).where(_is_synthetic()).order_by(Enterprise.id)))


def _is_synthetic():
    return Enterprise.uscc.like(f"91{SYNTHETIC_USCC_PREFIX}%") | Enterprise.uscc.like(f"92{SYNTHETIC_USCC_PREFIX}%")


def add_synthetic_cases(
    count: int,
    *,
    now: datetime | None = None,
    station_codes: list[str] | None = None,
    seed: int = 7,
    report=None,
) -> int:
    """Insert ``count`` synthetic cases in bulk (see the module doc); returns ``count``. The caller commits.

    ``station_codes`` limits them to some stations (tests); ``report(text)`` receives progress lines.
    """
    if count <= 0:
        return 0
    started = clock.perf_counter()
    gen = SyntheticCaseGenerator(now or utcnow(), seed, station_codes)
    gen.preload_sequences()
    synthetic = _ensure_enterprises(gen, max(20, (synthetic_count() + count) // CASES_PER_ENTERPRISE))
    demo = list(db.session.scalars(select(Enterprise.id).where(~_is_synthetic()).order_by(Enterprise.id)))
    home: dict[int, list[int]] = {}
    for enterprise_id, station_id in db.session.execute(
        select(Enterprise.id, Enterprise.station_id).where(_is_synthetic()).order_by(Enterprise.id)
    ):
        home.setdefault(station_id, []).append(enterprise_id)

    # Receipt moments first, in time order, so that case numbers grow with time at each station and day.
    plan = []
    for _ in range(count):
        station = gen.rng.choices(gen.stations, gen.station_weights)[0]
        plan.append((gen.hall_moment(gen.rng.choice(gen.workdays)), station))
    plan.sort(key=lambda entry: entry[0])

    rows: list[dict[str, Any]] = []
    written = 0
    for received, station in plan:
        if demo and gen.rng.random() < 0.05:
            enterprise_id = gen.rng.choice(demo)
        elif home.get(station.id) and gen.rng.random() < 0.7:
            enterprise_id = gen.rng.choice(home[station.id])
        else:
            enterprise_id = gen.rng.choice(synthetic)
        rows.append(gen.row(station, received, enterprise_id))
        if len(rows) >= BATCH_SIZE:
            db.session.execute(insert(Case.__table__), rows)
            written += len(rows)
            rows = []
            if report:
                report(f"  {written:,} cases inserted ({clock.perf_counter() - started:.1f} s)")
    if rows:
        db.session.execute(insert(Case.__table__), rows)
        written += len(rows)
    _save_sequences(gen)
    if report:
        report(f"  {written:,} synthetic cases in {clock.perf_counter() - started:.1f} s")
    # Core INSERTs bypass the roll-ups' flush listener (dashboard/rollups.py): recount them.
    rebuild_rollups(report=report)
    return written


def _save_sequences(gen: SyntheticCaseGenerator) -> None:
    """Write the last numbers used back to CaseSequence (update the rows that exist, insert the others)."""
    keys = sorted(gen.touched)
    existing = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        days = {day for _, day in chunk}
        for station_id, day in db.session.execute(
            select(CaseSequence.station_id, CaseSequence.day).where(CaseSequence.day.in_(days))
        ):
            existing.add((station_id, day))
    updates = [{"sid": s, "d": d, "seq": gen.sequences[(s, d)]} for s, d in keys if (s, d) in existing]
    inserts = [
        {"station_id": s, "day": d, "last_seq": gen.sequences[(s, d)]} for s, d in keys if (s, d) not in existing
    ]
    if updates:
        statement = (
            update(CaseSequence.__table__)
            .where(CaseSequence.station_id == bindparam("sid"), CaseSequence.day == bindparam("d"))
            .values(last_seq=bindparam("seq"))
        )
        db.session.execute(statement, updates)
    if inserts:
        db.session.execute(insert(CaseSequence.__table__), inserts)
