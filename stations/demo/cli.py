"""The demo's commands: `flask seed-demo` and `flask crossregion init-demo-db`. Registered outside production only
(stations/cli.py), and each refuses production again (guard.refuse_in_production) in case it is called directly."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select, text, update

from ..auth.models import User
from ..extensions import db
from ..sites.models import Station
from . import seed_demo
from .cases import seed_demo_cases
from .guard import DemoRefused, must_change_first, refuse_in_production
from .scale import seed_synthetic_cases


def _first_sign_in_changes_password(first_new_user_id: int) -> int:
    """Outside the demo (development, testing), the accounts just seeded must change the README's password at
    their first sign-in; returns how many were marked."""
    if not must_change_first():
        return 0
    result = db.session.execute(update(User).where(User.id >= first_new_user_id).values(must_change_password=True))
    return result.rowcount or 0


def _next_user_id() -> int:
    return (db.session.scalar(select(func.max(User.id))) or 0) + 1


@click.command("seed-demo")
@click.option("--cases", "case_count", type=int, default=0, help="Also top the synthetic scale-test cases up to N.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Skip the base demo data when stations exist (demo cases are still added once).",
)
@with_appcontext
def seed_demo_command(case_count: int, if_empty: bool) -> None:
    """Load the demo data of contract.md, demo cases included (running it twice changes nothing)."""
    try:
        refuse_in_production()
    except DemoRefused as refused:
        raise click.ClickException(str(refused)) from refused
    started = time.perf_counter()
    first_new_user = _next_user_id()
    if if_empty and db.session.scalar(select(func.count(Station.id))):
        added = seed_demo_cases()
        db.session.commit()
        click.echo(f"demo data already present ({added} demo cases added)")
    else:
        seed_demo()
        marked = _first_sign_in_changes_password(first_new_user)
        db.session.commit()
        click.echo(f"demo data loaded ({time.perf_counter() - started:.1f} s)")
        if marked:
            click.echo(f"{marked} accounts must change their password at first sign-in (not a demo environment)")
    if case_count:
        added = seed_synthetic_cases(case_count, report=click.echo)
        db.session.commit()
        if added and _refresh_planner_statistics():
            click.echo("planner statistics refreshed (ANALYZE)")
        click.echo(f"{added} synthetic cases added ({time.perf_counter() - started:.1f} s in all)")


def _refresh_planner_statistics() -> bool:
    """After a bulk load on PostgreSQL, ANALYZE, as its documentation advises: until autovacuum gets to it (never,
    where it is off), the planner believed 252 delivered cases among 200,000 and read the home's to-rate list by the
    status index (8 ms instead of 1). SQLite keeps no statistics, and its plans are chosen without them
    (cases/queries.py no_index), so it is left alone. Returns whether it ran."""
    if db.session.connection().dialect.name != "postgresql":
        return False
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return True


def add_init_demo_db(group: AppGroup) -> None:
    """`crossregion init-demo-db`, on the cross-region group (scripts/two_districts.py calls it)."""

    @group.command("init-demo-db")
    def init_demo_db_command() -> None:
        """Create the tables of an empty demonstration database and load the demo data without its cases
        (scripts/two_districts.py; never on real data)."""
        try:
            refuse_in_production()
        except DemoRefused as refused:
            raise click.ClickException(str(refused)) from refused
        db.create_all()
        first_new_user = _next_user_id()
        seed_demo(cases=False)
        _first_sign_in_changes_password(first_new_user)
        db.session.commit()
        click.echo("schema and demo data ready")
