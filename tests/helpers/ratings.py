"""Test helpers for ratings (moved out of tests/ratings/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

from datetime import datetime

from stations.domain.case_vocabulary import CaseEvent
from stations.ratings import services as rating_services
from tests import factories as f
from tests.helpers.cases import fire

DELIVERY_PATH = (CaseEvent.ACCEPT, CaseEvent.START_REVIEW, CaseEvent.DECIDE_APPROVE, CaseEvent.ISSUE, CaseEvent.DELIVER)


def delivered_case(*, now: datetime | None = None, by: str = "staff-ll", **kwargs):
    """A case (of a new client unless ``enterprise`` is given) accepted, reviewed, approved, issued and delivered
    by ``by``."""
    case = f.make_case(by=by, now=now, **kwargs)
    for event in DELIVERY_PATH:
        fire(case, event, by=by, now=now)
    return case


def bad_rating(case=None, *, owner: f.Client | None = None, level: int = 2, now: datetime | None = None):
    """A 差评 by ``owner``'s account (a new client's when none is given) of a delivered case of its enterprise
    (one is made when none is given): the rating, with its rectification."""
    owner = owner or f.make_client()
    case = case or delivered_case(now=now, enterprise=owner.enterprise)
    return rating_services.rate_case(case, owner.account, level=level, reasons=["SLOW"], comment="等太久", now=now)
