"""Command line: one `AppGroup` per feature in ``<feature>/cli.py``, added here (`flask --app wsgi --help`).

Blueprint commands live with their blueprint (``notifications expiring``, ``ratings close-unanswered``,
``dashboard rebuild-rollups``). The demo's commands exist outside production only.
"""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from .auth.cli import api_token_group, mfa_group
    from .calendar.cli import calendar_group
    from .crossregion.cli import crossregion_group
    from .jobs.cli import jobs_group
    from .open311.cli import api_key_group

    app.cli.add_command(api_token_group)  # api-token create USERNAME NAME | revoke ID | list
    app.cli.add_command(mfa_group)  # mfa rotate-key (re-encrypt second factors under the first data key)
    app.cli.add_command(calendar_group)  # calendar load [YEAR] [--replace]
    app.cli.add_command(api_key_group)  # api-key create NAME | revoke ID | list
    app.cli.add_command(jobs_group)  # jobs run TASK | tick | worker | cron | list (issue 20)
    app.cli.add_command(crossregion_group)  # crossregion deliver | set-partner | demo-forward | demo-advance | stats
    from .meetings.cli import meetings_group

    app.cli.add_command(meetings_group)  # meetings remind (day before, hour before)

    from .cases.cli import cases_group

    app.cli.add_command(cases_group)  # cases deem-accepted | warnings: daily jobs (issue 12)
    if app.config.get("ENV_NAME") != "production":  # the demo's commands do not exist in production
        from .demo.cli import add_init_demo_db, seed_demo_command

        app.cli.add_command(seed_demo_command)  # seed-demo [--cases N] [--if-empty]
        add_init_demo_db(crossregion_group)  # crossregion init-demo-db (scripts/two_districts.py)
