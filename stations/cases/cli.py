"""Daily case jobs (issue 12), run by cron until the project has a job runner: `flask cases deem-accepted`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db

cases_group = AppGroup("cases", help="Daily case jobs: deemed acceptance, deadline warnings.")


@cases_group.command("deem-accepted")
def deem_accepted_command() -> None:
    """Accept by law the RECEIVED cases left unanswered for 5 working days (idempotent)."""
    from .deemed import deem_accepted

    accepted = deem_accepted()
    db.session.commit()
    click.echo(f"deemed accepted: {len(accepted)}")
    for case in accepted:
        click.echo(f"  {case.case_no}")


@cases_group.command("warnings")
def warnings_command() -> None:
    """Yellow / red warnings and 容缺 reminders to the people who answer for the cases; department digests."""
    from .warnings import send_warnings

    run = send_warnings()
    db.session.commit()
    click.echo(f"case warnings: {run.cases}, rongque warnings: {run.rongque}, department digests: {run.digests}")
