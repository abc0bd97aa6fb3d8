"""Public tracking (/track): a case's progress by its number and query code, without personal data.

A wrong code and an unknown number get the same answer, status 200 and the same words, so that the page cannot be
used to find out which numbers exist. Rate limited per client address.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from ..domain.case_vocabulary import EVENT_LABELS, STATUS_LABELS, CaseEvent, CaseStatus
from ..extensions import limiter
from ..web.htmx import render
from . import page_queries

bp = Blueprint("track", __name__)

TRACK_RATE_LIMIT = "30/minute"
BUNDLE_PREFIX = "YJS-"


def _timeline(case) -> list[dict]:
    """Status changes only, in plain words: when, what happened, the new status. No names, no notes."""
    steps = []
    for record in case.events:
        if record.from_status == record.to_status or not record.to_status:
            continue
        try:
            event_label = EVENT_LABELS[CaseEvent(record.event)]
            status_label = STATUS_LABELS[CaseStatus(record.to_status)]
        except (KeyError, ValueError):
            continue
        steps.append({"at": record.at, "event": event_label, "status": status_label})
    return steps


@bp.route("/track")
@limiter.limit(TRACK_RATE_LIMIT)
def index():
    case_no = request.args.get("case_no", "").strip()[:24]
    code = request.args.get("code", "").strip()[:6]
    if case_no.upper().startswith(BUNDLE_PREFIX):  # a 一件事 number: its own page shows the bundle with its steps
        return redirect(url_for("bundles.track", bundle_no=case_no, code=code), 303)
    asked = bool(case_no or code)
    case = page_queries.tracked_case(case_no, code) if case_no and code else None
    return render(
        "track/index.html",
        case_no=case_no,
        code=code,
        asked=asked,
        incomplete=asked and not (case_no and code),
        case=case,
        steps=_timeline(case) if case else [],
        status_labels=STATUS_LABELS,
    )
