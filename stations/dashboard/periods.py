"""The board's reporting periods, read from the query string (the board, its figures and the exports share them)."""

from __future__ import annotations

from datetime import date

from flask import abort

from ..domain import metrics
from ..timeutil import business_today, utcnow

PERIODS = ("month", "quarter", "year", "custom")


def period_from_args(args) -> tuple[str, date, date]:
    """(kind, first day, last day) from ?period=&from=&to=; a bad custom range falls back to this month."""
    kind = args.get("period", "month")
    if kind not in PERIODS:
        kind = "month"
    today = business_today(utcnow())
    if args.get("from") or args.get("to"):
        kind = "custom"
    try:
        start = date.fromisoformat(args["from"]) if args.get("from") else None
        end = date.fromisoformat(args["to"]) if args.get("to") else None
        first, last = metrics.period_bounds(kind, today, start, end)
    except (ValueError, KeyError):
        kind = "month"
        first, last = metrics.period_bounds(kind, today)
    if (last - first).days > 3660:
        abort(400)
    return kind, first, last
