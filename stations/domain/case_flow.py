"""The case (办件) lifecycle at a station and its 容缺 items: a transition table plus guards.

domain.md §3.1/§3.2: the station path (no SPECIAL, extend, deemed_accept or revoke here) and the cross-region
paths. As the intake site (收件地) staff ``forward`` a checked case to a partner district; what the partner does
comes back as SYSTEM events (partner_sign, partner_status, result_return, partner_reject, partner_refuse), and a
returned result is delivered here as usual. As the handling site (办理地) a forwarded case arrives RECEIVED
(``receive`` by SYSTEM), staff ``sign_for`` it, and then it follows the normal machine.

The words it uses (statuses, events, actors, status sets, guard messages) are in case_vocabulary.py.

Checks run in a fixed order: the event must apply to the status (``IllegalTransition``, which includes an
instant/committed mismatch), then the actor must be allowed (``NotPermitted``), then the guards (``GuardFailed``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import transitions
from .case_vocabulary import (
    BACK_OFFICE_EVENTS,
    DELIVERY_MODE_CODES,
    FORM_GUARD_CODES,
    GUARD_MESSAGES,
    Actor,
    CaseEvent,
    CaseStatus,
)


class CaseFlowError(transitions.FlowError):
    code: str = "case_flow_error"


class IllegalTransition(transitions.IllegalTransition, CaseFlowError):
    """The event does not apply to the current status (or to this kind of item: instant vs committed)."""

    new_record = "a new case"

    def __init__(self, event: str, status: str | None) -> None:
        super().__init__(event, status)
        self.status = status  # the case edges catch CaseFlowError apart from CaseError (whose status is HTTP)


class NotPermitted(transitions.NotPermitted, CaseFlowError):
    pass


class GuardFailed(transitions.GuardFailed, CaseFlowError):
    """A guard failed; ``code`` is the reason code (a key of ``GUARD_MESSAGES``)."""

    messages = GUARD_MESSAGES


_REFUSALS = transitions.Refusals(IllegalTransition, NotPermitted, GuardFailed)


@dataclass(frozen=True)
class Transition(transitions.Transition):
    instant_only: bool = False  # only for 即办件 (promised limit 0)
    committed_only: bool = False  # only for 承诺件 (promised limit > 0)

    def applies_to(self, status: CaseStatus | None, *, is_instant: bool) -> bool:
        if status not in self.sources:
            return False
        if self.instant_only and not is_instant:
            return False
        return not (self.committed_only and is_instant)


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case, gathered by the service. Defaults are the plain case."""

    status: CaseStatus | None
    is_instant: bool = False  # 即办件: promised limit 0
    is_rongque: bool = False  # accepted with deficiencies
    item_rongque_allowed: bool = False  # the item is on the 容缺受理清单
    item_rongque_days: int | None = None  # the item's own 容缺 supply limit (enables 容缺 on 即办件)
    credit_normal: bool = True  # applicant.credit_flag == NORMAL
    required_materials_verified: bool = False  # every required material VERIFIED (or SHARED)
    missing_materials_minor_and_allowed: bool = False  # every missing material is minor and 容缺-allowed
    missing_count: int = 0  # required materials missing or defective
    commitment_signed: bool = False  # 容缺承诺书 signed (form input)
    correction_already_requested: bool = False  # a one-time correction notice was issued before
    deficiencies_all_verified: bool = False  # every Deficiency of the case VERIFIED
    deficiency_overdue: bool = False  # some Deficiency is past its supply deadline and not verified
    reason: str = ""  # refusal reason (form input)
    note: str = ""  # the note (or reason) filled in with the event (form input)
    delivery_mode: str = ""  # deliver: the 送达方式 chosen (form input; empty = DEFAULT_DELIVERY_MODE)
    resume_status: CaseStatus | None = None  # where correction_done returns to (the status before the notice)
    xr_partner_available: bool = False  # an active partner district handles the item (forward is possible)
    xr_inbound_unsigned: bool = False  # forwarded here by a partner and not yet signed for (签收)
    back_office: bool = False  # handed to a department's queue (the station COLLECTs the item)
    already_extended: bool = False  # the one 延期 was granted already


def _actors(*actors: Actor) -> frozenset[Actor]:
    return frozenset(actors)


def _sources(*statuses: CaseStatus | None) -> frozenset[CaseStatus | None]:
    return frozenset(statuses)


_S, _C, _E, _A, _Y = Actor.STAFF, Actor.CLERK, Actor.ENTERPRISE, Actor.ADMIN, Actor.SYSTEM
_D = Actor.DEPARTMENT
_St, _Ev = CaseStatus, CaseEvent

TRANSITIONS: tuple[Transition, ...] = (
    # SYSTEM receives a case forwarded by a partner district (channel XR_INBOUND).
    Transition(_Ev.RECEIVE, _sources(None), _St.RECEIVED, _actors(_S, _C, _E, _Y)),
    Transition(_Ev.WITHDRAW, _sources(_St.RECEIVED, _St.CORRECTION), _St.WITHDRAWN, _actors(_E, _S, _C)),
    Transition(_Ev.ACCEPT, _sources(_St.RECEIVED), _St.ACCEPTED, _actors(_S, _C)),
    Transition(_Ev.ACCEPT_WITH_DEFICIENCY, _sources(_St.RECEIVED), _St.ACCEPTED, _actors(_S, _C)),
    # A one-time correction notice before acceptance, or during review, which stops the clock
    # (codes 6/7 of the platform come after acceptance); correction_done resumes where it stopped.
    Transition(
        _Ev.REQUEST_CORRECTION, _sources(_St.RECEIVED, _St.ACCEPTED, _St.IN_REVIEW), _St.CORRECTION, _actors(_S, _C)
    ),
    Transition(_Ev.CORRECTION_DONE, _sources(_St.CORRECTION), _St.RECEIVED, _actors(_S, _C)),
    Transition(_Ev.REFUSE, _sources(_St.RECEIVED, _St.CORRECTION), _St.REFUSED, _actors(_S, _C)),
    Transition(_Ev.START_REVIEW, _sources(_St.ACCEPTED), _St.IN_REVIEW, _actors(_S, _D), committed_only=True),
    # decide_approve targets APPROVED_RQ instead of APPROVED for a 容缺 case (see _RONGQUE_TARGETS).
    Transition(_Ev.DECIDE_APPROVE, _sources(_St.IN_REVIEW), _St.APPROVED, _actors(_S, _D)),
    Transition(_Ev.DECIDE_APPROVE, _sources(_St.ACCEPTED), _St.APPROVED, _actors(_S, _C, _D), instant_only=True),
    Transition(_Ev.DECIDE_REJECT, _sources(_St.IN_REVIEW), _St.REJECTED, _actors(_S, _D)),
    Transition(_Ev.DECIDE_REJECT, _sources(_St.ACCEPTED), _St.REJECTED, _actors(_S, _C, _D), instant_only=True),
    # 统一出证: the department issues a collected case's result (at the centre), the station its own.
    Transition(_Ev.ISSUE, _sources(_St.APPROVED, _St.APPROVED_RQ), _St.ISSUED, _actors(_S, _D)),
    Transition(_Ev.DELIVER, _sources(_St.ISSUED, _St.REJECTED), _St.DELIVERED, _actors(_S, _C, _D)),
    Transition(_Ev.TERMINATE, _sources(_St.ACCEPTED, _St.IN_REVIEW), _St.TERMINATED, _actors(_S, _A)),
    Transition(_Ev.RECALL, _sources(_St.ACCEPTED, _St.IN_REVIEW), _St.RECALLED, _actors(_E)),
    # Cross-region, intake site: form and identity check done, the case goes to the partner that decides it.
    Transition(_Ev.FORWARD, _sources(_St.RECEIVED), _St.FORWARDED, _actors(_S, _C)),
    Transition(_Ev.PARTNER_SIGN, _sources(_St.FORWARDED), _St.PARTNER_SIGNED, _actors(_Y)),
    # The partner's intermediate states (accepted, in review, correction...) are recorded, not mirrored.
    Transition(_Ev.PARTNER_STATUS, _sources(_St.FORWARDED, _St.PARTNER_SIGNED), _St.PARTNER_SIGNED, _actors(_Y)),
    # The partner's approval comes back with its result: ready for delivery here (统一出件).
    Transition(_Ev.RESULT_RETURN, _sources(_St.FORWARDED, _St.PARTNER_SIGNED), _St.ISSUED, _actors(_Y)),
    Transition(_Ev.PARTNER_REJECT, _sources(_St.FORWARDED, _St.PARTNER_SIGNED), _St.REJECTED, _actors(_Y)),
    Transition(_Ev.PARTNER_REFUSE, _sources(_St.FORWARDED, _St.PARTNER_SIGNED), _St.REFUSED, _actors(_Y)),
    # Cross-region, handling site: the forwarded package is signed for before anything else happens to it.
    Transition(_Ev.SIGN_FOR, _sources(_St.RECEIVED), _St.RECEIVED, _actors(_S)),
    # The legal clock (domain.md §4.1 rules 6, 7, 9). 特别程序 pauses the clock with a written reason.
    Transition(_Ev.START_SPECIAL, _sources(_St.IN_REVIEW), _St.SPECIAL, _actors(_S, _D), committed_only=True),
    Transition(_Ev.END_SPECIAL, _sources(_St.SPECIAL), _St.IN_REVIEW, _actors(_S, _D)),
    # 延期 keeps the status; the service also checks the approver's consent (access.may_consent_extension).
    Transition(_Ev.EXTEND, _sources(_St.ACCEPTED), _St.ACCEPTED, _actors(_A, _D), committed_only=True),
    Transition(_Ev.EXTEND, _sources(_St.IN_REVIEW), _St.IN_REVIEW, _actors(_A, _D), committed_only=True),
    # No notice, correction or refusal within 5 working days of receipt: accepted by law (the daily job).
    Transition(_Ev.DEEMED_ACCEPT, _sources(_St.RECEIVED), _St.ACCEPTED, _actors(_Y)),
)

_RONGQUE_TARGETS: dict[CaseStatus, CaseStatus] = {_St.APPROVED: _St.APPROVED_RQ}


def _guard_signed(facts: CaseFacts) -> Iterable[str]:
    if facts.xr_inbound_unsigned:
        yield "xr_unsigned"


def _guard_accept(facts: CaseFacts) -> Iterable[str]:
    yield from _guard_signed(facts)
    if not facts.required_materials_verified:
        yield "materials_not_verified"


def _guard_accept_with_deficiency(facts: CaseFacts) -> Iterable[str]:
    yield from _guard_signed(facts)
    if not facts.item_rongque_allowed:
        yield "rongque_not_allowed"
    if facts.is_instant and facts.item_rongque_days is None:
        yield "rongque_instant"
    if facts.missing_count <= 0:
        yield "nothing_missing"
    if not facts.missing_materials_minor_and_allowed:
        yield "main_material_missing"
    if not facts.credit_normal:
        yield "credit_flag"
    if not facts.commitment_signed:
        yield "commitment_missing"


def _guard_request_correction(facts: CaseFacts) -> Iterable[str]:
    yield from _guard_signed(facts)
    if facts.correction_already_requested:
        yield "correction_once"
    if not facts.note.strip():
        yield "correction_content_required"


def _guard_decide_reject(facts: CaseFacts) -> Iterable[str]:
    if not facts.note.strip():
        yield "reject_reasons_required"


def _guard_deliver(facts: CaseFacts) -> Iterable[str]:
    if facts.delivery_mode and facts.delivery_mode not in DELIVERY_MODE_CODES:
        yield "delivery_mode_unknown"


def _guard_refuse(facts: CaseFacts) -> Iterable[str]:
    yield from _guard_signed(facts)
    if not facts.reason.strip():
        yield "reason_required"


def _guard_decide_approve(facts: CaseFacts) -> Iterable[str]:
    if facts.is_rongque and not facts.deficiencies_all_verified:
        yield "deficiencies_unverified"


def _guard_terminate(facts: CaseFacts) -> Iterable[str]:
    if not facts.is_rongque:
        yield "not_rongque"
    if not facts.deficiency_overdue:
        yield "not_overdue"


def _guard_forward(facts: CaseFacts) -> Iterable[str]:
    if not facts.xr_partner_available:
        yield "no_partner"
    if facts.xr_inbound_unsigned:
        yield "xr_unsigned"  # a case forwarded to us is not forwarded on
    if not facts.required_materials_verified:
        yield "materials_not_verified"  # the intake site's form check (形式审查)


def _guard_sign_for(facts: CaseFacts) -> Iterable[str]:
    if not facts.xr_inbound_unsigned:
        yield "not_awaiting_sign"


def _guard_start_special(facts: CaseFacts) -> Iterable[str]:
    if not facts.reason.strip():
        yield "reason_required"  # the applicant is told in writing why and for how long


def _guard_extend(facts: CaseFacts) -> Iterable[str]:
    if facts.already_extended:
        yield "already_extended"
    if not facts.reason.strip():
        yield "reason_required"


# Each guard yields its failure codes in the order they are reported; the first one is raised.
GUARDS: dict[CaseEvent, Callable[[CaseFacts], Iterable[str]]] = {
    _Ev.ACCEPT: _guard_accept,
    _Ev.ACCEPT_WITH_DEFICIENCY: _guard_accept_with_deficiency,
    _Ev.REQUEST_CORRECTION: _guard_request_correction,
    _Ev.REFUSE: _guard_refuse,
    _Ev.DECIDE_APPROVE: _guard_decide_approve,
    _Ev.DECIDE_REJECT: _guard_decide_reject,
    _Ev.DELIVER: _guard_deliver,
    _Ev.TERMINATE: _guard_terminate,
    _Ev.FORWARD: _guard_forward,
    _Ev.SIGN_FOR: _guard_sign_for,
    _Ev.START_SPECIAL: _guard_start_special,
    _Ev.EXTEND: _guard_extend,
}


def guard_failures(facts: CaseFacts, event: CaseEvent, *, include_form_guards: bool = True) -> list[str]:
    """Every failing guard code of ``event`` for these facts (empty when the guards pass)."""
    guard = GUARDS.get(event)
    if guard is None:
        return []
    return [code for code in guard(facts) if include_form_guards or code not in FORM_GUARD_CODES]


def find_transition(status: CaseStatus | None, event: CaseEvent, *, is_instant: bool) -> Transition | None:
    """The row of ``TRANSITIONS`` that ``event`` takes from ``status`` for this kind of item, if any."""
    for transition in _TRANSITIONS_BY_EVENT.get(event, ()):
        if transition.applies_to(status, is_instant=is_instant):
            return transition
    return None


# The rows of each event, in table order (the first that applies wins, as before): a queue page asks for every event
# of every row, and scanning the whole table each time was a tenth of the page's time.
_TRANSITIONS_BY_EVENT: dict[CaseEvent, tuple[Transition, ...]] = {
    event: tuple(transition for transition in TRANSITIONS if transition.event == event) for event in CaseEvent
}


def _tier_allows(facts: CaseFacts, event: CaseEvent, actor: Actor) -> bool:
    """现场受理、后台流转: a handed-over case is decided by its department only; a department acts on nothing else."""
    if actor is Actor.DEPARTMENT:
        return facts.back_office
    if facts.back_office and actor in (Actor.STAFF, Actor.CLERK):
        return event not in BACK_OFFICE_EVENTS
    return True


def _resolve(facts: CaseFacts, event: CaseEvent, actor: Actor, *, include_form_guards: bool) -> CaseStatus:
    guard = GUARDS.get(event)
    transition = transitions.check(
        _REFUSALS,
        find_transition(facts.status, event, is_instant=facts.is_instant),
        event=event,
        status=facts.status,
        actor=actor,
        actor_allowed=lambda t: actor in t.actors and _tier_allows(facts, event, actor),
        guard_codes=lambda: guard(facts) if guard else (),
        form_guard_codes=FORM_GUARD_CODES,
        include_form_guards=include_form_guards,
    )
    if event is _Ev.CORRECTION_DONE and facts.resume_status is not None:
        return facts.resume_status
    if facts.is_rongque:
        return _RONGQUE_TARGETS.get(transition.target, transition.target)
    return transition.target


def next_status(facts: CaseFacts, event: CaseEvent, actor: Actor) -> CaseStatus:
    """The status ``event`` fired by ``actor`` leads to.

    :raise IllegalTransition: the event does not apply to ``facts.status`` (or to an instant / committed item).
    :raise NotPermitted: ``actor`` may not fire it.
    :raise GuardFailed: a guard fails; ``code`` names the first failing one.
    """
    return _resolve(facts, event, actor, include_form_guards=True)


def available_events(facts: CaseFacts, actor: Actor) -> list[CaseEvent]:
    """The events ``actor`` can fire now, in ``CaseEvent`` order.

    Guards on form input (``FORM_GUARD_CODES``: the refusal reason, the signed 容缺 commitment, the notes a rejection
    and a correction notice need, the delivery mode) are treated as satisfiable and not evaluated; every other
    guard is.
    """
    # Events with no row from this status are refused as illegal by _resolve; skipping them first spares an exception
    # each (most of the events, for any status) and changes no answer.
    candidates = [event for event in CaseEvent if find_transition(facts.status, event, is_instant=facts.is_instant)]
    return transitions.firable(
        candidates, lambda event: _resolve(facts, event, actor, include_form_guards=False), CaseFlowError
    )


def acceptance_event(facts: CaseFacts) -> CaseEvent:
    """How a case just taken in is accepted on the spot (收件并受理): plainly when every required material is
    verified, else with 容缺 — whose guards (the item allows it, only minor materials missing, the commitment
    signed, the credit normal) then decide whether it may be."""
    return _Ev.ACCEPT if facts.required_materials_verified else _Ev.ACCEPT_WITH_DEFICIENCY
