"""The station queue (the staff home), the 容缺 ledger and the first handlers' table."""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..auth.decorators import roles_required
from ..auth.models import User
from ..domain.case_vocabulary import CaseStatus
from ..domain.deadlines import WarnLevel
from ..web.htmx import fragment_for, render
from ..web.params import int_arg
from ..web.render_cache import reusable_page
from . import intake_views, page_queries, queries
from .labels import (
    template_labels,
)
from .models import Channel
from .page_common import (
    LEDGER_FRAGMENTS,
    LEDGER_PAGE_SIZE,
    QUEUE_FRAGMENTS,
    QUEUE_PAGE_SIZE,
    QUEUE_ROLES,
    current_path,
    page_number,
    signed_in_user,
)
from .presenters import (
    queue_rows,
)
from .queries import QueueFilters


def _queue_filters(args: MultiDict) -> tuple[QueueFilters, dict[str, str]]:
    """The queue's filters from the query string; unknown values are ignored, a malformed clerk id is a 400."""
    status = args.get("status", "").strip().upper()
    colour = args.get("colour", "").strip().lower()
    channel = args.get("channel", "").strip().upper()
    item = args.get("item", "").strip()[:40]
    q = args.get("q", "").strip()[:24]
    values = {
        "status": status if status in CaseStatus.__members__ or status == "ALL" else "",
        "colour": colour if colour in {lvl.value for lvl in WarnLevel} else "",
        "channel": channel if channel in Channel.__members__ else "",
        "item": item,
        "clerk": str(int_arg("clerk", source=args) or ""),
        "q": q,
    }
    filters = QueueFilters(
        status=values["status"] if values["status"] not in ("", "ALL") else None,
        include_closed=values["status"] == "ALL",
        colour=values["colour"] or None,
        item_code=values["item"] or None,
        clerk_id=int(values["clerk"]) if values["clerk"] else None,
        channel=values["channel"] or None,
        q=values["q"] or None,
    )
    return filters, {key: value for key, value in values.items() if value}


MORE_FILTERS = ("status", "item", "clerk", "channel")  # folded under 更多筛选; the number and colour stay in view


def may_take_in(user: User) -> bool:
    """The queue's 收件 button: for whoever the intake page's own guard lets in, so the two cannot disagree."""
    return user.role in intake_views.new.allowed_roles


def queue_page(*, is_home: bool = False, extra: Callable[[], dict] | None = None) -> Response:
    """The queue for the signed-in user (staff: their station; clerk: their clients; central office: all).

    ``extra`` adds to a full page's context (the clerk's home: its clients and what they owe); a fragment skips it.
    """
    user = signed_in_user()
    filters, args = _queue_filters(request.args)
    result = queries.case_rows(user, filters, page=page_number(), page_size=QUEUE_PAGE_SIZE)
    context = {
        "user": user,
        "rows": queue_rows(user, result.rows),
        "page": result.page,
        "has_next": result.has_next,
        "args": args,
        # The choices behind 更多筛选 open by themselves when one of them is in use (the tablet sees rows first).
        "more_filters": sum(1 for key in MORE_FILTERS if args.get(key)),
        "next_url": current_path(),
        "is_home": is_home,
        "may_take_in": may_take_in(user),
        "counts": {},
        "items": [],
        "clerks": [],
        "counters_oob": False,
    }
    if fragment_for(QUEUE_FRAGMENTS) is None:  # the counters and the filter's choices are outside the table
        context["counts"] = queries.colour_counts(user)
        context["items"] = page_queries.queue_items(user.station) if user.station_id else []
        context["clerks"] = page_queries.clerks()
        if extra is not None:
            context.update(extra())
    return render("cases/index.html", QUEUE_FRAGMENTS, **context, **template_labels())


@roles_required(*QUEUE_ROLES)
@reusable_page(next_change=queries.next_turn_red)
def index():
    return queue_page()


@roles_required(*QUEUE_ROLES)
def ledger():
    user = signed_in_user()
    tag = request.args.get("tag", "").strip().lower()
    tag = tag if tag in {lvl.value for lvl in WarnLevel if lvl is not WarnLevel.PAUSED} else ""
    result = page_queries.deficiency_ledger(user, tag=tag or None, page=page_number(), page_size=LEDGER_PAGE_SIZE)
    return render(
        "cases/ledger.html",
        LEDGER_FRAGMENTS,
        result=result,
        tag=tag,
        args={"tag": tag} if tag else {},
        **template_labels(),
    )


@roles_required(*QUEUE_ROLES)
def first_handlers():
    return render("cases/first_handlers.html", rows=page_queries.first_handler_table(signed_in_user()))
