"""Read side of the catalogue: search, pages of items, one item, 一优五减 aggregates.

Every function runs a fixed number of SQL statements whatever the catalogue's size:
filters, counts and sums happen in SQL, departments are joined, materials selectin-loaded.

A caller that wants a subset of the catalogue (a station's scope) passes ``scope``: a
SELECT of item ids, built by the feature that owns that subset (``sites.queries.item_scope``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..domain.catalog_metrics import CatalogMetrics, catalog_metrics
from ..extensions import db
from .models import Department, ServiceItem
from .search import term_variants

MAX_QUERY_LENGTH = 50
MAX_QUERY_TERMS = 5

ItemScope = Select[tuple[int]]


@dataclass(frozen=True)
class ItemFilter:
    """What the visitor asked for: free text, a department code, 即办件 (True) or 承诺件 (False)."""

    q: str = ""
    department: str | None = None
    is_instant: bool | None = None


@dataclass(frozen=True)
class ItemPage:
    items: list[ServiceItem]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_number(self) -> int:
        """1-based position of the first item on this page (0 when empty)."""
        return (self.page - 1) * self.page_size + 1 if self.items else 0


@dataclass(frozen=True)
class DepartmentMetrics:
    department: Department
    metrics: CatalogMetrics


def search_terms(text: str | None) -> list[str]:
    """The words of a search box: whitespace-separated, at most 5, the text cut at 50 characters."""
    return (text or "")[:MAX_QUERY_LENGTH].split()[:MAX_QUERY_TERMS]


def _term_matches(term: str) -> ColumnElement[bool]:
    """One word matches the item name, its code, its department's name or its pinyin initials.

    An everyday name ("社保卡", "sbk") also matches the catalogue's word (search.ALIASES).
    ``autoescape`` makes % and _ literal; ``icontains`` is case-insensitive on SQLite and PostgreSQL.
    """
    return or_(
        *(
            ServiceItem.name.icontains(variant, autoescape=True)
            | ServiceItem.code.icontains(variant, autoescape=True)
            | Department.name.icontains(variant, autoescape=True)
            | ServiceItem.name_initials.contains(variant.lower(), autoescape=True)
            for variant in term_variants(term)
        )
    )


def _conditions(criteria: ItemFilter, scope: ItemScope | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [ServiceItem.is_active.is_(True)]
    conditions.extend(_term_matches(term) for term in search_terms(criteria.q))
    if criteria.department:
        conditions.append(Department.code == criteria.department)
    if criteria.is_instant is not None:
        conditions.append(ServiceItem.is_instant.is_(criteria.is_instant))
    if scope is not None:
        conditions.append(ServiceItem.id.in_(scope))
    return conditions


def _items_select(conditions: list[ColumnElement[bool]]) -> Select[tuple[ServiceItem]]:
    # The explicit join serves both the department filters and the eager load (no second join).
    return (
        select(ServiceItem)
        .join(ServiceItem.department)
        .options(contains_eager(ServiceItem.department))
        .where(*conditions)
        .order_by(Department.id, ServiceItem.code)
    )


def search_items(
    criteria: ItemFilter, *, scope: ItemScope | None = None, page: int = 1, page_size: int = 30
) -> ItemPage:
    """One page of matching items in catalogue order (department, then code): two queries.

    A page number past the end gives the last page.
    """
    conditions = _conditions(criteria, scope)
    total = db.session.scalar(select(func.count(ServiceItem.id)).join(ServiceItem.department).where(*conditions))
    page = min(max(page, 1), max(1, math.ceil(total / page_size)))
    items = db.session.scalars(_items_select(conditions).limit(page_size).offset((page - 1) * page_size)).all()
    return ItemPage(items=list(items), total=total, page=page, page_size=page_size)


def list_items(criteria: ItemFilter, *, scope: ItemScope | None = None) -> list[ServiceItem]:
    """Every matching item with its department and materials (the JSON catalogue).

    One query for the items, one per 500 items for the materials (SQLAlchemy's selectin batch).
    """
    statement = _items_select(_conditions(criteria, scope)).options(selectinload(ServiceItem.materials))
    return list(db.session.scalars(statement).all())


def get_item(code: str) -> ServiceItem | None:
    """An active item by code, with its department and materials, or None."""
    statement = (
        select(ServiceItem)
        .where(ServiceItem.code == code, ServiceItem.is_active.is_(True))
        .options(selectinload(ServiceItem.materials))
    )
    return db.session.scalars(statement).first()


def departments() -> list[Department]:
    """Departments that have active items, in catalogue order (for the filter)."""
    has_items = select(ServiceItem.id).where(
        ServiceItem.department_id == Department.id, ServiceItem.is_active.is_(True)
    )
    return list(db.session.scalars(select(Department).where(has_items.exists()).order_by(Department.id)).all())


def _aggregates() -> tuple:
    return (
        func.count(ServiceItem.id),
        func.coalesce(func.sum(ServiceItem.statutory_days), 0),
        func.coalesce(func.sum(ServiceItem.promised_days), 0),
        func.count(case((ServiceItem.max_visits <= 1, ServiceItem.id))),
        func.count(case((ServiceItem.max_visits == 0, ServiceItem.id))),
        func.count(case((ServiceItem.is_instant.is_(True), ServiceItem.id))),
    )


def _metrics(row) -> CatalogMetrics:
    count, statutory, promised, one_visit, zero_visit, instant = (int(value or 0) for value in row)
    return catalog_metrics(
        item_count=count,
        statutory_days_total=statutory,
        promised_days_total=promised,
        one_visit_count=one_visit,
        zero_visit_count=zero_visit,
        instant_count=instant,
    )


def catalog_totals(scope: ItemScope | None = None) -> CatalogMetrics:
    """The 一优五减 figures of the active catalogue, or of ``scope``: one query."""
    conditions = _conditions(ItemFilter(), scope)
    row = db.session.execute(select(*_aggregates()).where(*conditions)).one()
    return _metrics(row)


def department_breakdown(scope: ItemScope | None = None) -> list[DepartmentMetrics]:
    """The same figures per department (departments without items in scope left out): one query."""
    conditions = _conditions(ItemFilter(), scope)
    statement = (
        select(Department, *_aggregates())
        .join(ServiceItem, ServiceItem.department_id == Department.id)
        .where(*conditions)
        .group_by(Department.id)
        .order_by(Department.id)
    )
    return [DepartmentMetrics(department=row[0], metrics=_metrics(row[1:])) for row in db.session.execute(statement)]
