"""`flask --app wsgi api-token create USERNAME NAME | revoke ID | list`: bearer tokens for API v1."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from .models import ApiToken, User
from .tokens import issue_token, revoke_token

api_token_group = AppGroup("api-token", help="Bearer tokens for API v1.")


@api_token_group.command("create")
@click.argument("username")
@click.argument("name")
def api_token_create(username: str, name: str) -> None:
    """Issue a token acting as USERNAME, labelled NAME; prints the token alone on the last line (shown once)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_enabled:
        raise click.ClickException(f"no enabled user {username!r}")
    row, token = issue_token(user, name)
    db.session.commit()
    click.echo(f"token {row.id} '{row.name}' acts as {user.username} ({user.role.value}); it is shown only once:")
    click.echo(token)


@api_token_group.command("revoke")
@click.argument("token_id", type=int)
def api_token_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `api-token list`)."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise click.ClickException(f"no token {token_id}")
    revoke_token(row)
    db.session.commit()
    click.echo(f"token {token_id} revoked")


@api_token_group.command("list")
def api_token_list() -> None:
    """Every token: id, name, user, created, last used, revoked."""
    for row in db.session.scalars(select(ApiToken).order_by(ApiToken.id)):
        click.echo(
            f"{row.id}\t{row.name}\t{row.user.username}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t"
            f"last used {row.last_used_at or '-'}\t{'revoked ' + str(row.revoked_at) if row.revoked_at else 'active'}"
        )
