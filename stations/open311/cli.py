"""`flask --app wsgi api-key create NAME | revoke ID | list`: Open311 API keys on the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from . import services
from .models import ApiKey

api_key_group = AppGroup("api-key", help="API keys for integrations (Open311).")


@api_key_group.command("create")
@click.argument("name")
def create_command(name: str) -> None:
    """Issue a key for the integration NAME; prints the key alone on the last line (shown only once)."""
    key, raw = services.issue_key(name)
    db.session.commit()
    click.echo(f"API key {key.id} '{key.name}' issued; it is shown only once:")
    click.echo(raw)


@api_key_group.command("revoke")
@click.argument("key_id", type=int)
def revoke_command(key_id: int) -> None:
    """Revoke key KEY_ID (see `api-key list`)."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.ClickException(f"no API key {key_id}")
    services.revoke_key(key)
    db.session.commit()
    click.echo(f"API key {key_id} revoked")


@api_key_group.command("list")
def list_command() -> None:
    """Every key: id, name, prefix, created, last used, revoked."""
    for key in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "-"
        click.echo(
            f"{key.id}\t{key.name}\t{key.key_prefix}…\tcreated {key.created_at:%Y-%m-%d %H:%M}\t"
            f"last used {used}\t{state}"
        )
