"""Command line: `flask --app wsgi seed-demo`, `calendar load`, ..."""

from __future__ import annotations

import click
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--cases", "case_count", type=int, default=0, help="Also add N synthetic cases for scale tests.")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds stations.")
    def seed_demo_command(case_count: int, if_empty: bool) -> None:
        """Load the demo data of contract.md (running it twice changes nothing)."""
        from sqlalchemy import func, select

        from .demo import seed_demo
        from .sites.models import Station

        if if_empty and db.session.scalar(select(func.count(Station.id))):
            click.echo("demo data already present")
            return
        seed_demo()
        db.session.commit()
        click.echo("demo data loaded")

    @app.cli.group("calendar")
    def calendar_group() -> None:
        """The working-day calendar table."""

    @calendar_group.command("load")
    @click.argument("year", type=int, required=False)
    @click.option("--replace", is_flag=True, help="Overwrite days edited by an administrator.")
    def calendar_load(year: int | None, replace: bool) -> None:
        """Load YEAR (or every missing year) from chinesecalendar."""
        from .calendar import services

        if year is None:
            loaded = services.load_library_years()
            click.echo(f"loaded years: {loaded or 'none missing'}")
        else:
            try:
                written = services.load_year(year, replace=replace)
            except ValueError as error:
                raise click.ClickException(str(error)) from error
            click.echo(f"{year}: {written} days written")
        db.session.commit()
