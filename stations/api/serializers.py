"""The JSON shapes of API v1 (contract.md "JSON API v1"); docs/openapi.json describes the same."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ..cases.models import Case
from ..cases.queries import CASE_VALUE_COLUMNS
from ..catalog.models import ItemMaterial, ServiceItem
from ..domain.case_vocabulary import export_status_code
from ..domain.catalog_metrics import CatalogMetrics
from ..sites.models import Station
from ..timeutil import iso_with_offset


def station(station: Station, item_count: int) -> dict[str, Any]:
    return {"code": station.code, "name": station.name, "kind": station.kind.value, "item_count": item_count}


def material(material: ItemMaterial) -> dict[str, Any]:
    return {
        "code": material.code,
        "name": material.name,
        "required": material.is_required,
        "rongque_allowed": material.rongque_allowed,
    }


def catalog_item(item: ServiceItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "department": item.department.name,
        "item_type": item.item_type.value,
        "statutory_days": item.statutory_days,
        "promised_days": item.promised_days,
        "is_instant": item.is_instant,
        "max_visits": item.max_visits,
        "materials": [material(m) for m in item.materials],
    }


def catalog_metrics(metrics: CatalogMetrics) -> dict[str, Any]:
    return {
        "item_count": metrics.item_count,
        "statutory_days_total": metrics.statutory_days_total,
        "promised_days_total": metrics.promised_days_total,
        "compression_ratio": metrics.compression_ratio,
        "one_visit_ratio": metrics.one_visit_ratio,
        "instant_ratio": metrics.instant_ratio,
    }


def case(case: Case, warn_level: str, *, show_query_code: bool) -> dict[str, Any]:
    """A case in the contract's key order. ``query_code`` is null for callers who may not see the receipt."""
    return case_from_values(
        SimpleNamespace(
            **{name: getattr(case, name) for name in CASE_VALUE_COLUMNS},
            item_code=case.item.code,
            station_code=case.station.code,
            enterprise_uscc=case.enterprise.uscc,
            clerk_username=case.clerk.username if case.clerk else None,
        ),
        warn_level,
        show_query_code=show_query_code,
    )


def case_from_values(row: Any, warn_level: str, *, show_query_code: bool) -> dict[str, Any]:
    """The same, from a row of ``cases.queries.case_values`` (or anything with those attributes)."""
    return {
        "case_no": row.case_no,
        "query_code": row.query_code if show_query_code else None,
        "status": row.status.value,
        "item_code": row.item_code,
        "station": row.station_code,
        "enterprise_uscc": row.enterprise_uscc,
        "clerk": row.clerk_username,
        "channel": row.channel.value,
        "received_at": iso_with_offset(row.received_at),
        "accepted_at": iso_with_offset(row.accepted_at),
        "promised_days": row.promised_days,
        "extended_days": row.extended_days or 0,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "due_provisional": bool(row.due_provisional),
        "warn_level": warn_level.upper(),
        "is_rongque": bool(row.is_rongque),
        "version": row.version,
        "status_code": export_status_code(row.status, is_rongque=bool(row.is_rongque)),  # domain.md §3.1
    }
