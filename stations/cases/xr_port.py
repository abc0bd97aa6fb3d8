"""The seam between cases and cross-region handling (跨区通办), which sits above cases in the layers.

Cases never import stations.crossregion (.importlinter): the case rules need to know whether a partner district
handles an item, and a status change of a cross-region case must reach the partner in the same transaction (the
transactional outbox). stations.crossregion installs its ``CrossRegionPort`` at start-up; until then (and in an
app without federation) the default port says "no partner" and ignores events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..domain.case_vocabulary import CaseEvent, CaseStatus
    from .models import Case


@dataclass(frozen=True)
class PartnerChoice:
    code: str
    name: str


class CrossRegionPort(Protocol):
    def partners_for_item(self, item_id: int) -> list[PartnerChoice]:
        """Active partner districts that can receive a case of this item (agreement item lists)."""

    def event_applied(
        self, case: Case, event: CaseEvent, before: CaseStatus | None, *, partner_code: str, note: str, now: datetime
    ) -> None:
        """Called inside the event's transaction, after the case changed: forward, or report to the partner.

        :raise CaseError: the change cannot be sent (unknown or inactive partner); the caller rolls back.
        """


class _NoFederation:
    def partners_for_item(self, item_id: int) -> list[PartnerChoice]:
        return []

    def event_applied(self, case, event, before, *, partner_code, note, now) -> None:
        return None


_port: CrossRegionPort = _NoFederation()


def install(port: CrossRegionPort) -> None:
    global _port
    _port = port


def port() -> CrossRegionPort:
    return _port
