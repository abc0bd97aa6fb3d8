"""`flask --app wsgi calendar load [YEAR] [--replace]`: the working-day calendar table."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

calendar_group = AppGroup("calendar", help="The working-day calendar table.")


@calendar_group.command("load")
@click.argument("year", type=int, required=False)
@click.option("--replace", is_flag=True, help="Overwrite days edited by an administrator.")
def calendar_load(year: int | None, replace: bool) -> None:
    """Load YEAR (or every missing year) from chinesecalendar."""
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
