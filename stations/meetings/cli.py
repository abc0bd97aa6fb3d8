"""`flask meetings remind`: the day-before and hour-before reminders (run every few minutes; idempotent)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db

meetings_group = AppGroup("meetings", help="一键约见: reminders.")


@meetings_group.command("remind")
def remind_command() -> None:
    """Send the meeting reminders that are due now; each one is sent once."""
    from .reminders import send_due_reminders

    created = send_due_reminders()
    db.session.commit()
    click.echo(f"{created} reminders sent")
