"""Every item in the demo is offered somewhere (issue 12, item 3); the comprehensive window keeps its 190."""

from __future__ import annotations

from sqlalchemy import func, select

from stations.catalog.models import ServiceItem
from stations.extensions import db
from stations.sites.centre_scope import offer_every_item_at_the_centre
from stations.sites.models import ScopeMode, StationItem


def test_every_active_item_can_be_applied_for_somewhere(app):
    applicable = select(StationItem.item_id).where(StationItem.mode.in_((ScopeMode.ACCEPT, ScopeMode.COLLECT)))
    nowhere = db.session.scalars(
        select(ServiceItem.code).where(ServiceItem.is_active.is_(True), ServiceItem.id.not_in(applicable))
    ).all()
    assert nowhere == []
    assert db.session.scalar(select(func.count(ServiceItem.id))) == 555


def test_the_comprehensive_window_stays_at_190_and_seeding_again_adds_nothing(app):
    assert db.session.scalar(select(func.count()).where(ServiceItem.is_comprehensive_window.is_(True))) == 190
    assert offer_every_item_at_the_centre() == 0
