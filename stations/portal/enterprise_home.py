"""The enterprise's home (/home): its cases updating by themselves, its bundles, what waits for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from werkzeug.wrappers import Response

from ..auth.models import User
from ..bundles import queries as bundle_queries
from ..bundles.labels import STATUS_LABELS as BUNDLE_STATUS_LABELS
from ..bundles.labels import STEP_LABELS as BUNDLE_STEP_LABELS
from ..calendar.services import current_calendar
from ..cases import client_queries, queries
from ..cases.labels import template_labels
from ..cases.models import Case
from ..cases.page_common import page_number
from ..cases.presenters import CaseLinks
from ..cases.queries import QueueFilters
from ..clerks import queries as clerk_queries
from ..domain.deadlines import WarnLevel, remaining_working_days
from ..domain.documents import expiry_horizon
from ..domain.ratings import LEVEL_LABELS as RATING_LEVELS
from ..enterprises import queries as enterprise_queries
from ..ratings import queries as rating_queries
from ..timeutil import business_today, utcnow
from ..web.caching import etag_for, not_modified, with_etag
from ..web.htmx import STOP_POLLING, fragment_for, render
from .enterprise_common import HOME_FRAGMENTS, HOME_PAGE_SIZE, POLL_SECONDS, signed_in_user

# --- the enterprise's home (/home) ------------------------------------------------------------------------------


@dataclass
class HomeRow:
    case: Case
    level: str
    remaining: int | None  # working days left; None once decided, paused or not yet accepted
    owed: int  # materials the enterprise still has to hand in on this case
    to_rate: bool = False  # delivered and not rated yet: the row invites a rating instead of "无需操作"
    show_url: str = ""


def _home_rows(pairs: list[tuple[Case, str]], today: date) -> list[HomeRow]:
    ids = [case.id for case, _level in pairs]
    owed = client_queries.owed_by_case(ids)
    unrated = rating_queries.unrated_among(ids)
    calendar = None
    links = CaseLinks()
    rows = []
    for case, level in pairs:
        remaining = None
        if case.due_on is not None and level not in (WarnLevel.DONE.value, WarnLevel.PAUSED.value):
            calendar = calendar or current_calendar()
            remaining = remaining_working_days(today, case.due_on, calendar)
        rows.append(HomeRow(case, level, remaining, owed.get(case.id, 0), case.id in unrated, links.show(case.case_no)))
    return rows


BUNDLES_ON_HOME = 5
TODO_OWING, TODO_RATING = 10, 5  # the pinned 需要您做 block: materials owed first, then ratings


def _todo(user: User) -> dict:
    """需要您做, pinned above everything (issue 19): every case waiting for materials from the enterprise, and its
    latest delivered cases not yet rated (rated in place). Two queries whatever the number of cases."""
    return {
        "todo_owing": client_queries.cases_owing(user, limit=TODO_OWING),
        "todo_rating": rating_queries.cases_to_rate(user, limit=TODO_RATING),
        "rating_levels": RATING_LEVELS,
    }


def _bundle_rows(user: User) -> list[dict]:
    """The enterprise's latest 一件事, each as one thing with its steps (issue 16)."""
    return [
        {"bundle_case": bc, "level": bundle_queries.level_of(bc), "steps": bundle_queries.steps(bc)}
        for bc in bundle_queries.visible_bundle_cases(user, page_size=BUNDLES_ON_HOME)
    ]


def home_page() -> Response:
    """The enterprise's home: its cases newest first (polled while any is open), its clerk, its documents."""
    user = signed_in_user()
    enterprise = user.enterprise
    page = page_number()
    fragment = fragment_for(HOME_FRAGMENTS)
    now = utcnow()
    today = business_today(now)
    state = client_queries.list_state(user, now=now) if enterprise else None
    etag = etag_for("enterprise-cases", user.enterprise_id, page, today.isoformat(), *(state.parts if state else ()))
    if fragment is not None:
        unchanged = not_modified(etag)
        if unchanged is not None:
            return unchanged
    polling = bool(state and state.open)
    result = queries.case_rows(
        user, QueueFilters(include_closed=True), page=page, page_size=HOME_PAGE_SIZE, now=now, order="newest"
    )
    context = {
        "user": user,
        "rows": _home_rows(result.rows, today) if enterprise else [],
        "page": result.page,
        "has_next": result.has_next,
        "polling": polling,
        "poll_url": url_for("home.mine", page=page) if page > 1 else url_for("home.mine"),
        "poll_seconds": current_app.config.get("ENTERPRISE_POLL_SECONDS", POLL_SECONDS),
        **template_labels(),
    }
    if fragment is not None:
        response = render("enterprises/home.html", HOME_FRAGMENTS, status=200 if polling else STOP_POLLING, **context)
        return with_etag(response, etag)
    expiring, expired = (
        enterprise_queries.validity_counts(enterprise.id, today, expiry_horizon(today)) if enterprise else (0, 0)
    )
    context.update(
        enterprise=enterprise,
        station=enterprise.station if enterprise else None,
        choice=clerk_queries.current_choice(enterprise.id) if enterprise else None,
        expiring=expiring,
        expired=expired,
        bundle_rows=_bundle_rows(user),
        **(_todo(user) if enterprise else {}),
        step_labels=BUNDLE_STEP_LABELS,
        bundle_status_labels=BUNDLE_STATUS_LABELS,
    )
    response = render("enterprises/home.html", HOME_FRAGMENTS, **context)
    response.set_etag(etag)  # the page's own ETag (never the fragment's); the page itself stays no-store
    return response
