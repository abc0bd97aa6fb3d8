"""The daily case jobs on the project's job runner (stations/jobs): deemed acceptance, then the warnings.

Both are idempotent, so a retried or repeated run changes nothing; `flask cases ...` runs them by hand.
"""

from __future__ import annotations

from ..extensions import db


def deem_accepted_job() -> str:
    from .deemed import deem_accepted

    accepted = deem_accepted()
    db.session.commit()
    return f"{len(accepted)} cases deemed accepted"


def warnings_job() -> str:
    from .warnings import send_warnings

    run = send_warnings()
    db.session.commit()
    return f"{run.cases} case warnings, {run.rongque} rongque warnings, {run.digests} digests"
