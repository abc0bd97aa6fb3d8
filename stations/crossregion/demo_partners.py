"""Demo agreements (domain.md §6.2): item lists for the eight partners, and one partner reachable on loopback.

How the figures are kept: ``partner_regions.agreed_item_count`` keeps the report's total for each agreement
(54 / 129 / 72 / 154 / 143 and 150 / 131 / 110, 943 in all). The seeded ``partner_items`` are the part of each
agreement that has a counterpart in our demo catalogue: the items of the agreement domains (商事登记类, 社保类,
税务类, 公积金类 [R§21]) that the stations offer, at most the agreement's total. So an agreement can list fewer rows
than its total (the administrator page shows both: "已对应 n 项,协议约定 N 项"); the rest are partner items without
a local counterpart in the demo and are not invented here.

Every listed item is offered at station LL and at the centre ZX (the station pool, domain.md §6.1). The partner
``GL`` (西安市高陵区) is active, has a signing key and a loopback base URL (the second instance of
scripts/two_districts.py), so a case at LL for, say, GG-GJJ-0006 住房公积金异地转移接续 (ACCEPT at LL) can be
forwarded in the demo. Its key is random per database (key id ``demo-1``): a production start refuses a database
that holds it (stations/demo/guard.py).
Tests that need an LL item no reachable partner handles pick one outside the agreement domains (e.g. 医保).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from ..catalog.models import Department, ServiceItem
from ..extensions import db
from ..sites.models import Station, StationItem
from ..timeutil import utcnow
from .models import AgreementKind, PartnerItem, PartnerKey, PartnerRegion

AGREEMENT_DEPARTMENTS = ("SCJG", "SB", "SW", "GJJ")  # 商事登记类, 社保类, 税务类, 公积金类 [R§21]
REACHABLE_PARTNER = "GL"
REACHABLE_URL = "http://127.0.0.1:5102"  # scripts/two_districts.py's second instance
DEMO_KEY_ID = "demo-1"
DEMO_ITEM = "GG-GJJ-0006"  # 住房公积金异地转移接续: a committed item that LL accepts itself
ALWAYS_LISTED = 30  # the first items (the report's real items come first in the catalogue) are in every list


def agreement_items(departments: tuple[str, ...] = AGREEMENT_DEPARTMENTS) -> list[ServiceItem]:
    """The catalogue items an agreement may list: items of the agreement domains offered at station LL (the
    station pool, also offered at the centre), real ones first (catalogue order)."""
    return list(
        db.session.scalars(
            select(ServiceItem)
            .join(Department, Department.id == ServiceItem.department_id)
            .join(StationItem, StationItem.item_id == ServiceItem.id)
            .join(Station, Station.id == StationItem.station_id)
            .where(Department.code.in_(departments), Station.code == "LL", ServiceItem.is_active.is_(True))
            .order_by(ServiceItem.id)
        )
    )


def _subset(items: list[ServiceItem], count: int, offset: int) -> list[ServiceItem]:
    """``count`` items; the real (first) items always, the rest rotated per partner so the lists differ."""
    if count >= len(items):
        return items
    head, rest = items[:ALWAYS_LISTED], items[ALWAYS_LISTED:]
    shift = offset % len(rest) if rest else 0
    rest = rest[shift:] + rest[:shift]
    return (head + rest)[:count]


def seed_partner_agreements() -> None:
    """Item lists for partners that have none, and GL's key and URL; running it twice changes nothing."""
    partners = list(db.session.scalars(select(PartnerRegion).order_by(PartnerRegion.sort_order, PartnerRegion.id)))
    if not partners:
        return
    listed = set(db.session.scalars(select(PartnerItem.partner_id).group_by(PartnerItem.partner_id)))
    items = agreement_items()
    for order, partner in enumerate(partners):
        if partner.id in listed or not partner.agreed_item_count:
            continue
        same_standard = partner.agreement_kind is AgreementKind.SAME_STANDARD
        for item in _subset(items, partner.agreed_item_count, order * 7):
            db.session.add(
                PartnerItem(
                    partner_id=partner.id,
                    local_item_id=item.id,
                    partner_item_code=f"{partner.code}-{item.code}",
                    partner_item_name=item.name,
                    is_same_standard=same_standard,
                )
            )
    _make_reachable(next((p for p in partners if p.code == REACHABLE_PARTNER), None))
    db.session.flush()


def _make_reachable(partner: PartnerRegion | None) -> None:
    if partner is None:
        return
    if partner.base_url is None:
        partner.base_url = REACHABLE_URL
    has_keys = db.session.scalar(select(func.count(PartnerKey.id)).where(PartnerKey.partner_id == partner.id))
    if not has_keys and not partner.shared_key:
        now = utcnow()
        db.session.add(
            PartnerKey(
                partner_id=partner.id,
                key_id=DEMO_KEY_ID,
                secret=secrets.token_hex(32),  # random per database: nobody can sign as the demo partner
                not_before=now - timedelta(days=1),
                not_after=now + timedelta(days=365),
                created_at=now,
            )
        )
