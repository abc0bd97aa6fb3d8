"""Appeals raised from elsewhere in the portal: a meeting's commitment, a policy session's question, a key
project's blocked procedure. The one entry for those features (they sit above appeals in .importlinter), and the
link back from the appeal page (by endpoint name, so appeals imports none of them).
"""

from __future__ import annotations

from dataclasses import replace

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import User
from ..domain.appeal_flow import OPEN_STATUSES
from ..extensions import db
from . import services
from .models import Appeal

MEETING_COMMITMENT = "MEETING_COMMITMENT"
SESSION_QUESTION = "SESSION_QUESTION"
PROJECT_PROCEDURE = "PROJECT_PROCEDURE"

ORIGIN_LABELS = {
    MEETING_COMMITMENT: _l("约见承诺事项"),
    SESSION_QUESTION: _l("政策宣讲提问"),
    PROJECT_PROCEDURE: _l("重点项目受阻手续"),
}


def open_appeal_of(kind: str, ref: str) -> Appeal | None:
    """The appeal still open that this origin raised, if any (so raising twice raises once)."""
    return db.session.scalars(
        select(Appeal)
        .where(Appeal.origin_kind == kind, Appeal.origin_ref == ref, Appeal.status.in_(tuple(OPEN_STATUSES)))
        .order_by(Appeal.id.desc())
        .limit(1)
    ).first()


def raise_from(kind: str, ref: str, data: services.RegisterInput, user: User | None) -> Appeal:
    """Register ``data`` as an appeal of origin (kind, ref) unless one of that origin is still open.

    ``ref`` is "<page key>#<row id>" (e.g. "YJ202609090001#12"): the page key builds the link back, the row id
    keeps two commitments of one meeting apart. :raise services.AppealError: as ``register``.
    """
    existing = open_appeal_of(kind, ref)
    if existing is not None:
        return existing
    return services.register(replace(data, origin_kind=kind, origin_ref=ref[:40]), user)


def appeals_by_no(numbers) -> dict[str, Appeal]:
    """The appeals of these numbers (no scope: the caller's page already scoped the rows holding the numbers)."""
    numbers = [n for n in set(numbers) if n]
    if not numbers:
        return {}
    return {a.appeal_no: a for a in db.session.scalars(select(Appeal).where(Appeal.appeal_no.in_(numbers)))}


def origin_link(appeal: Appeal, *, enterprise_view: bool = False) -> dict | None:
    """{"label", "text", "url"} of what raised the appeal, for its page; None for appeals from outside.

    The enterprise sees its meetings and sessions but not the project board: there the text stands without a link.
    """
    kind, ref = appeal.origin_kind, appeal.origin_ref or ""
    key = ref.split("#", 1)[0]
    if kind not in ORIGIN_LABELS or not key:
        return None
    if kind == MEETING_COMMITMENT:
        url = url_for("meetings.show", meeting_no=key)
    elif kind == SESSION_QUESTION:
        if not key.isdigit():
            return None
        url = url_for("policy_sessions.show", session_id=int(key))
    else:
        url = None if enterprise_view else url_for("projects.show", code=key)
    return {"label": ORIGIN_LABELS[kind], "text": key, "url": url}
