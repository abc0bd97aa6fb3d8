"""The 容缺 item (deficiency) lifecycle, domain.md §3.2: a material accepted as missing at intake, to be supplied
within its deadline and verified (销号), or terminated with its case. Same actors and errors as the case machine."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .case_flow import IllegalTransition, NotPermitted
from .case_vocabulary import N_, Actor

_S, _C, _E, _A = Actor.STAFF, Actor.CLERK, Actor.ENTERPRISE, Actor.ADMIN


def _actors(*actors: Actor) -> frozenset[Actor]:
    return frozenset(actors)


# "Overdue" is not a status: it is computed from the supply deadline (deadlines.deficiency_deadline). A late supply
# is therefore just PENDING --supply--> SUPPLIED, allowed until the item is TERMINATED with its case.


class DeficiencyStatus(enum.StrEnum):
    PENDING = "PENDING"
    SUPPLIED = "SUPPLIED"
    VERIFIED = "VERIFIED"
    TERMINATED = "TERMINATED"


DEFICIENCY_STATUS_LABELS: dict[DeficiencyStatus, str] = {
    DeficiencyStatus.PENDING: N_("待补齐"),
    DeficiencyStatus.SUPPLIED: N_("已补交"),
    DeficiencyStatus.VERIFIED: N_("已销号"),
    DeficiencyStatus.TERMINATED: N_("已终止"),
}


class DeficiencyEvent(enum.StrEnum):
    SUPPLY = "supply"
    VERIFY = "verify"
    REJECT_SUPPLY = "reject_supply"
    TERMINATE = "terminate"


DEFICIENCY_EVENT_LABELS: dict[DeficiencyEvent, str] = {
    DeficiencyEvent.SUPPLY: N_("补交材料"),
    DeficiencyEvent.VERIFY: N_("核验销号"),
    DeficiencyEvent.REJECT_SUPPLY: N_("退回补交"),
    DeficiencyEvent.TERMINATE: N_("终止"),
}


@dataclass(frozen=True)
class DeficiencyTransition:
    event: DeficiencyEvent
    sources: frozenset[DeficiencyStatus]
    target: DeficiencyStatus
    actors: frozenset[Actor]


_Ds, _De = DeficiencyStatus, DeficiencyEvent

DEFICIENCY_TRANSITIONS: tuple[DeficiencyTransition, ...] = (
    DeficiencyTransition(_De.SUPPLY, frozenset({_Ds.PENDING}), _Ds.SUPPLIED, _actors(_E, _S, _C)),
    DeficiencyTransition(_De.VERIFY, frozenset({_Ds.SUPPLIED}), _Ds.VERIFIED, _actors(_S, _C)),
    DeficiencyTransition(_De.REJECT_SUPPLY, frozenset({_Ds.SUPPLIED}), _Ds.PENDING, _actors(_S, _C)),
    DeficiencyTransition(
        _De.TERMINATE, frozenset({_Ds.PENDING, _Ds.SUPPLIED}), _Ds.TERMINATED, _actors(Actor.SYSTEM, _S, _A)
    ),
)


def next_deficiency_status(status: DeficiencyStatus, event: DeficiencyEvent, actor: Actor) -> DeficiencyStatus:
    """Same errors and order as ``next_status`` (these transitions have no guards)."""
    for transition in DEFICIENCY_TRANSITIONS:
        if transition.event == event and status in transition.sources:
            if actor not in transition.actors:
                raise NotPermitted(event, actor)
            return transition.target
    raise IllegalTransition(event, status)


def available_deficiency_events(status: DeficiencyStatus, actor: Actor) -> list[DeficiencyEvent]:
    return [t.event for t in DEFICIENCY_TRANSITIONS if status in t.sources and actor in t.actors]
