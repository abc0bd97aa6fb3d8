"""Jinja filters: dates in business time, percentages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app


def business_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BUSINESS_TIMEZONE"])


def local_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(business_tz()).strftime(fmt)


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def percent(value: float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{places}f}%"


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(iso_date, "iso_date")
    app.add_template_filter(percent, "percent")
