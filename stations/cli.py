"""Command line: `flask --app wsgi seed-demo`, `calendar load`, ..."""

from __future__ import annotations

import click
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--cases", "case_count", type=int, default=0, help="Also top the synthetic scale-test cases up to N.")
    @click.option(
        "--if-empty",
        is_flag=True,
        help="Skip the base demo data when stations exist (demo cases are still added once).",
    )
    def seed_demo_command(case_count: int, if_empty: bool) -> None:
        """Load the demo data of contract.md, demo cases included (running it twice changes nothing)."""
        import time

        from sqlalchemy import func, select

        from .demo import seed_demo
        from .demo_cases import seed_demo_cases
        from .demo_scale import seed_synthetic_cases
        from .sites.models import Station

        started = time.perf_counter()
        if if_empty and db.session.scalar(select(func.count(Station.id))):
            added = seed_demo_cases()
            db.session.commit()
            click.echo(f"demo data already present ({added} demo cases added)")
        else:
            seed_demo()
            db.session.commit()
            click.echo(f"demo data loaded ({time.perf_counter() - started:.1f} s)")
        if case_count:
            added = seed_synthetic_cases(case_count, report=click.echo)
            db.session.commit()
            click.echo(f"{added} synthetic cases added ({time.perf_counter() - started:.1f} s in all)")

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

    @crossregion_group.command("init-demo-db")
    def init_demo_db_command() -> None:
        """Create the tables of an empty demonstration database and load the demo data without its cases
        (scripts/two_districts.py; never on real data). Here, not in crossregion: the demo data spans features
        above it (ratings)."""
        from .demo import seed_demo

        db.create_all()
        seed_demo(cases=False)
        db.session.commit()
        click.echo("schema and demo data ready")

    from .jobs.cli import jobs_group

    app.cli.add_command(jobs_group)  # jobs run TASK | tick | worker | cron | list (issue 20)
    app.cli.add_command(crossregion_group)  # crossregion deliver | set-partner | demo-forward | demo-advance | stats
    from .meetings.cli import meetings_group

    app.cli.add_command(meetings_group)  # meetings remind (day before, hour before)
