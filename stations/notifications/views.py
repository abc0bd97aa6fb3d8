"""The bell (unread count on every page, polled), the /notifications page, and marking notifications read.

Every signed-in role has notifications; each user only ever sees and touches their own (another's id is a 404).
"""

from __future__ import annotations

import click
from flask import Blueprint, abort, g, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from ..extensions import db
from ..timeutil import business_today
from ..web.caching import etag_for, not_modified, with_etag
from ..web.htmx import add_vary, hx_target, render, render_fragment
from ..web.params import int_arg
from . import queries, services
from .labels import KIND_LABELS

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

INDEX_FRAGMENTS = {"notification-list": "notification_list"}
PAGE_SIZE = 30
BELL_POLL = "every 30s"


def _bell_count() -> int:
    """The signed-in user's unread count, queried at most once per request and only if a template asks."""
    if "unread_notifications" not in g:
        count = 0
        if current_user.is_authenticated:
            try:
                count = queries.unread_count(current_user.id)
            except SQLAlchemyError:  # the 500 page of a failing database must still render
                db.session.rollback()
        g.unread_notifications = count
    return g.unread_notifications


@bp.app_context_processor
def inject_bell():
    # A function, not a number: fragments and error pages that never show the bell run no query for it.
    return {"unread_notifications": _bell_count, "bell_poll": BELL_POLL}


def _page() -> int:
    page = int_arg("page", 1, minimum=1)
    return page if page and page > 0 else 1


def _safe_path(value: str | None, default: str) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


@bp.route("/")
@login_required
def index():
    result = queries.group_page_for(current_user.id, page=_page(), page_size=PAGE_SIZE)
    return render("notifications/index.html", INDEX_FRAGMENTS, result=result, kind_labels=KIND_LABELS)


@bp.route("/badge")
@login_required
def badge():
    """The bell alone, for its poll: 304 while the unread count is unchanged (one query)."""
    count = _bell_count()
    etag = etag_for("bell", current_user.id, count)
    unchanged = not_modified(etag)
    if unchanged is not None:
        return unchanged
    return with_etag(add_vary(make_response(render_template("notifications/_bell.html"))), etag)


def _after_change() -> Response:
    """The list and the bell (out of band) for htmx; back to the list page otherwise (PRG)."""
    if hx_target() == "notification-list":
        g.pop("unread_notifications", None)
        result = queries.group_page_for(current_user.id, page=_page(), page_size=PAGE_SIZE)
        return render_fragment(
            "notifications/index.html", ["notification_list", "bell_oob"], result=result, kind_labels=KIND_LABELS
        )
    return redirect(url_for("notifications.index", page=_page()), 303)


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    notification = queries.notification_of(current_user.id, notification_id)
    if notification is None:
        abort(404)
    services.mark_read(notification)
    db.session.commit()
    return _after_change()


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_(notification_id: int):
    """Mark read and go where the notification points."""
    notification = queries.notification_of(current_user.id, notification_id)
    if notification is None:
        abort(404)
    services.mark_read(notification)
    link = _safe_path(notification.link, url_for("notifications.index"))
    db.session.commit()
    return redirect(link, 303)


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    services.mark_all_read(current_user._get_current_object())
    db.session.commit()
    return _after_change()


@bp.cli.command("expiring")
@click.option("--days", type=int, default=services.EXPIRY_NOTICE_DAYS, help="Look this many days ahead.")
def expiring_command(days: int) -> None:
    """Remind enterprises of documents that expire soon (run daily; each reminder is sent once)."""
    created = services.notify_expiring_documents(business_today(), days=days)
    db.session.commit()
    click.echo(f"{created} notifications created")
