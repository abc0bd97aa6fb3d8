"""`flask --app wsgi api-token create USERNAME NAME | revoke ID | list`: bearer tokens for API v1;
`flask mfa rotate-key`: second factors re-encrypted under the first data key."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import String, select, type_coerce

from .. import datakey
from ..extensions import db
from .models import ApiToken, MfaFactor, User
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


mfa_group = AppGroup("mfa", help="Two-factor sign-in: data key rotation.")


@mfa_group.command("rotate-key")
def mfa_rotate_key() -> None:
    """Re-encrypt every TOTP secret under the first key of STATIONS_DATA_KEY (the others still decrypt)."""
    table = MfaFactor.__table__
    ciphertext = type_coerce(table.c.secret, String)  # the stored value, not decrypted
    rows = db.session.execute(select(table.c.id, ciphertext)).all()
    for row_id, token in rows:
        db.session.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(secret=datakey.decrypt(token))  # the column type encrypts under the first key
        )
    db.session.commit()
    click.echo(f"{len(rows)} second factor(s) re-encrypted under the first data key")
