"""Command line: `flask --app wsgi seed-demo`, `calendar load`, ..."""

from __future__ import annotations

import click
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    demo = app.config.get("ENV_NAME") != "production"  # the demo's commands do not exist in production
    if demo:
        from .demo.cli import seed_demo_command

        app.cli.add_command(seed_demo_command)

    @app.cli.group("api-token")
    def api_token_group() -> None:
        """Bearer tokens for API v1."""

    @api_token_group.command("create")
    @click.argument("username")
    @click.argument("name")
    def api_token_create(username: str, name: str) -> None:
        """Issue a token acting as USERNAME, labelled NAME; prints the token alone on the last line (shown once)."""
        from sqlalchemy import select

        from .auth.models import User
        from .auth.tokens import issue_token

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
        from .auth.models import ApiToken
        from .auth.tokens import revoke_token

        row = db.session.get(ApiToken, token_id)
        if row is None:
            raise click.ClickException(f"no token {token_id}")
        revoke_token(row)
        db.session.commit()
        click.echo(f"token {token_id} revoked")

    @api_token_group.command("list")
    def api_token_list() -> None:
        """Every token: id, name, user, created, last used, revoked."""
        from sqlalchemy import select

        from .auth.models import ApiToken

        for row in db.session.scalars(select(ApiToken).order_by(ApiToken.id)):
            click.echo(
                f"{row.id}\t{row.name}\t{row.user.username}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t"
                f"last used {row.last_used_at or '-'}\t{'revoked ' + str(row.revoked_at) if row.revoked_at else 'active'}"
            )

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

    from .open311.cli import api_key_group

    app.cli.add_command(api_key_group)  # api-key create NAME | revoke ID | list

    from .crossregion.cli import crossregion_group

    if demo:
        from .demo.cli import add_init_demo_db

        add_init_demo_db(crossregion_group)
    app.cli.add_command(crossregion_group)  # crossregion deliver | set-partner | demo-forward | demo-advance | stats
