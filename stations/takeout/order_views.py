"""Ordering and the order page: the list (the enterprise's own, the station's queue), the menu search fragment,
the order form, the order page and its actions."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import TAKEOUT_ORDER_ROLES
from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..domain import identifiers
from ..domain.takeout_flow import OrderFlowError
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..timeutil import utcnow
from ..web.error_summary import form_entries
from ..web.htmx import render
from . import queries, services
from .forms import FIELD_OF_ERROR, OrderForm
from .inputs import parse_event
from .labels import error_message, template_labels
from .presenters import order_panel
from .services import OrderInput, TakeoutError

SEE_ROLES = (Role.ENTERPRISE, Role.CLERK, Role.STAFF, Role.ADMIN, Role.CENTRAL)
SHOW_FRAGMENTS = {"order-panel": "order_panel"}
MENU_FRAGMENTS = {"menu-results": "menu_results"}
PAGE_SIZE = 30


def _user() -> User:
    return current_user._get_current_object()


def _order(order_no: str):
    order = queries.order_for(_user(), order_no)
    if order is None:
        abort(404)
    return order


@roles_required(*SEE_ROLES)
def index():
    user = _user()
    status = request.args.get("status") or None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    open_only = status is None and user.role is not Role.ENTERPRISE
    rows = queries.orders_for(user, status=status, open_only=open_only, page=page, size=PAGE_SIZE)
    now = utcnow()
    return render(
        "takeout/index.html",
        orders=rows[:PAGE_SIZE],
        levels={o.id: queries.warn_level_of(o, now) for o in rows},
        has_next=len(rows) > PAGE_SIZE,
        page=page,
        status_filter=status,  # not ``status``: render() takes that as the HTTP status
        may_order=user.role in TAKEOUT_ORDER_ROLES,
        may_maintain_menu=user.role is Role.ADMIN,
        **template_labels(),
    )


@roles_required(*SEE_ROLES)
def menu():
    """The menu search (htmx fragment of the order form): by name, category, code or pinyin initials."""
    chosen = request.args.getlist("lines")[:20]
    found = queries.search_menu(request.args.get("q", ""))
    kept = [m for m in queries.menu_lines(chosen) if m not in found] if chosen else []  # chosen stay chosen
    return render("takeout/menu.html", MENU_FRAGMENTS, lines=kept + found, chosen=set(chosen), **template_labels())


def _form_page(form: OrderForm, *, status: int = 200):
    chosen = list(form.lines.data or [])
    lines = queries.search_menu("", limit=20)
    selected = queries.menu_lines(chosen) if chosen else []
    return render(
        "takeout/new.html",
        form=form,
        on_behalf=_user().role is not Role.ENTERPRISE,
        lines=lines,
        selected=selected,
        chosen=set(chosen),
        # The services are picked through the menu's search box: that is where "choose a service" sends the user.
        error_entries=[("menu-q" if target == "lines" else target, message) for target, message in form_entries(form)],
        status=status,
        **template_labels(),
    )


@roles_required(*TAKEOUT_ORDER_ROLES)
def new():
    form = OrderForm()
    enterprise = _user().enterprise if _user().role is Role.ENTERPRISE else None
    if enterprise is not None and not form.address.data:
        form.address.data = enterprise.address or ""
    return _form_page(form)


def _enterprise(form: OrderForm) -> Enterprise:
    user = _user()
    if user.role is Role.ENTERPRISE:
        return user.enterprise
    uscc = (form.enterprise_uscc.data or "").strip().upper()
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc)) if uscc else None
    if not identifiers.is_valid_uscc(uscc) or enterprise is None:
        raise TakeoutError("unknown_enterprise")
    return enterprise


@roles_required(*TAKEOUT_ORDER_ROLES)
@idempotent("takeout.create")
def create():
    form = OrderForm()
    if not form.validate():
        return _form_page(form, status=422)
    try:
        order = services.place_order(
            _user(),
            _enterprise(form),
            OrderInput(
                line_codes=list(form.lines.data or []),
                address=form.address.data or "",
                contact_name=form.contact_name.data or "",
                contact_phone=form.contact_phone.data or "",
                preferred_windows=[form.preferred_windows.data] if form.preferred_windows.data else [],
                custom_request=form.custom_request.data or "",
            ),
        )
    except TakeoutError as refused:
        db.session.rollback()
        getattr(form, FIELD_OF_ERROR.get(refused.code, "address")).errors.append(error_message(refused.code))
        return _form_page(form, status=422)
    db.session.commit()
    return redirect(url_for("takeout.show", order_no=order.order_no), 303)


@roles_required(*SEE_ROLES)
def show(order_no: str):
    return render("takeout/show.html", SHOW_FRAGMENTS, panel=order_panel(_user(), _order(order_no)),
                  **template_labels())  # fmt: skip


def panel_answer(order, *, error: str | None = None, status: int = 200, values: dict | None = None):
    """The order panel (the page, or its block for htmx); after a refusal, re-read as it is now."""
    if status >= 400:
        db.session.expire_all()
        order = _order(order.order_no)
    panel = order_panel(_user(), order, error=error, values=values)
    return render("takeout/show.html", SHOW_FRAGMENTS, status=status, panel=panel, **template_labels())


@roles_required(*SEE_ROLES)
def post_event(order_no: str):
    order = _order(order_no)
    try:
        event, version, data = parse_event(request.form, team_ids=request.form.getlist("team"))
        services.apply_event(order, event, _user(), version=version, data=data)
    except (TakeoutError, OrderFlowError) as refused:
        db.session.rollback()
        status = getattr(refused, "status", 422)
        return panel_answer(order, error=error_message(refused.code), status=status, values=request.form.to_dict())
    db.session.commit()
    return panel_answer(order)
