"""Administrator pages: the working-day calendar (toggle a day, set one, load a year from chinese-calendar)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from ..auth.decorators import admin_required
from ..extensions import db
from ..timeutil import business_today
from ..web.errors import error_response
from ..web.htmx import is_htmx, render, render_fragment
from ..web.params import int_arg
from . import queries, services
from .forms import (
    CalendarDayForm,
    CalendarLoadForm,
    CalendarToggleForm,
)
from .pages import signed_in_admin

# --- calendar -----------------------------------------------------------------------------------


def _calendar_year() -> int:
    year = int_arg("year") or business_today().year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _calendar_page(year: int, day_form=None, load_form=None, load_error: str | None = None, status: int = 200):
    full, partial = queries.calendar_years()
    return render(
        "admin/calendar.html",
        status=status,
        year=year,
        months=queries.year_grid(year),
        is_loaded=year in full,
        is_partial=year in partial,
        library_has_year=queries.library_knows(year),
        full_years=full,
        day_form=day_form or CalendarDayForm(formdata=None),
        load_form=load_form or CalendarLoadForm(formdata=None, data={"year": year}),
        load_error=load_error,
    )


@admin_required
def calendar():
    return _calendar_page(_calendar_year())


@admin_required
def calendar_toggle():
    form = CalendarToggleForm()
    if not form.validate_on_submit():
        return error_response(422, _("日期无效。"), "invalid_day")
    day = form.day.data
    services.toggle_calendar_day(signed_in_admin(), day)
    db.session.commit()
    if is_htmx():
        return render_fragment("admin/calendar.html", ["month_grid"], month=queries.one_month(day))
    return redirect(url_for("admin.calendar", year=day.year), 303)


@admin_required
def calendar_day():
    form = CalendarDayForm()
    if not form.validate_on_submit():
        year = form.day.data.year if form.day.data else _calendar_year()
        return _calendar_page(year, day_form=form, status=422)
    day = form.day.data
    services.set_calendar_day(signed_in_admin(), day, form.kind.data == "work", (form.note.data or "").strip() or None)
    db.session.commit()
    flash(_("已设置 %(day)s。", day=day.isoformat()), "success")
    return redirect(url_for("admin.calendar", year=day.year), 303)


@admin_required
def calendar_load():
    form = CalendarLoadForm()
    if not form.validate_on_submit():
        return _calendar_page(_calendar_year(), load_form=form, status=422)
    year = form.year.data
    try:
        written = services.load_calendar_year(signed_in_admin(), year)
    except ValueError:
        db.session.rollback()
        message = _("日历库（chinesecalendar）尚无 %(year)s 年的数据：国务院公布放假安排后升级该库再载入。", year=year)
        return _calendar_page(year, load_form=form, load_error=message, status=422)
    db.session.commit()
    flash(_("已从日历库载入 %(year)s 年，写入 %(n)s 天。", year=year, n=written), "success")
    return redirect(url_for("admin.calendar", year=year), 303)
