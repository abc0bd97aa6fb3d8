"""The case (办件) lifecycle at a station and its 容缺 items: a transition table plus guards.

domain.md §3.1/§3.2: the station path (no SPECIAL, extend, deemed_accept or revoke here) and the cross-region
paths. As the intake site (收件地) staff ``forward`` a checked case to a partner district; what the partner does
comes back as SYSTEM events (partner_sign, partner_status, result_return, partner_reject, partner_refuse), and a
returned result is delivered here as usual. As the handling site (办理地) a forwarded case arrives RECEIVED
(``receive`` by SYSTEM), staff ``sign_for`` it, and then it follows the normal machine.

Status sets, and how a service should read them:

* ``CLOSED_STATUSES`` are final: nothing more happens (WITHDRAWN, REFUSED, DELIVERED, TERMINATED, RECALLED).
* ``OPEN_STATUSES`` = every status that is not closed, i.e. **work is still to do** at the station. APPROVED,
  APPROVED_RQ, ISSUED and REJECTED are open (a result must still be issued and/or delivered) even though they are
  decided.
* ``DECIDED_STATUSES`` = a decision exists (APPROVED, APPROVED_RQ, REJECTED, ISSUED, DELIVERED): the promised
  deadline (承诺时限) is judged at the decision, so it is met or missed and the colour is DONE.
* ``AWAITING_DECISION_STATUSES`` = ``OPEN_STATUSES - DECIDED_STATUSES``: the deadline still matters. This is the set
  for the "overdue" SQL predicate (``due_on < :today AND status IN AWAITING_DECISION_STATUSES``).
  For ``warn_level``: ``is_done = status not in AWAITING_DECISION_STATUSES``,
  ``is_paused = status in CLOCK_STOPPED_STATUSES``.
* ``CLOCK_STOPPED_STATUSES`` (CORRECTION) shows as PAUSED.

Checks run in a fixed order: the event must apply to the status (``IllegalTransition``, which includes an
instant/committed mismatch), then the actor must be allowed (``NotPermitted``), then the guards (``GuardFailed``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a msgid for Babel extraction without importing Flask-Babel; translate with gettext() at render time."""
    return message


class CaseStatus(enum.StrEnum):
    RECEIVED = "RECEIVED"
    WITHDRAWN = "WITHDRAWN"
    CORRECTION = "CORRECTION"
    REFUSED = "REFUSED"
    ACCEPTED = "ACCEPTED"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    APPROVED_RQ = "APPROVED_RQ"
    REJECTED = "REJECTED"
    ISSUED = "ISSUED"
    DELIVERED = "DELIVERED"
    TERMINATED = "TERMINATED"
    RECALLED = "RECALLED"
    FORWARDED = "FORWARDED"
    PARTNER_SIGNED = "PARTNER_SIGNED"
    SPECIAL = "SPECIAL"  # 特别程序 (hearing, expert review, inspection...): the clock is paused


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: N_("已收件"),
    CaseStatus.WITHDRAWN: N_("已撤件"),
    CaseStatus.CORRECTION: N_("补正中"),
    CaseStatus.REFUSED: N_("不予受理"),
    CaseStatus.ACCEPTED: N_("已受理"),
    CaseStatus.IN_REVIEW: N_("审查中"),
    CaseStatus.APPROVED: N_("办结(通过)"),
    CaseStatus.APPROVED_RQ: N_("办结(容缺通过)"),
    CaseStatus.REJECTED: N_("办结(不通过)"),
    CaseStatus.ISSUED: N_("已出证"),
    CaseStatus.DELIVERED: N_("已送达"),
    CaseStatus.TERMINATED: N_("已终止"),
    CaseStatus.RECALLED: N_("已撤回"),
    CaseStatus.FORWARDED: N_("已流转"),
    CaseStatus.PARTNER_SIGNED: N_("对方已签收"),
    CaseStatus.SPECIAL: N_("特别程序中"),
}

# Case-state codes of the engineering-permit platform (domain.md §3.1), for export; None where it has none.
# ISSUED has no code of its own: export_status_code() reports the decision's code (11 or 12) for it.
STATUS_CODES: dict[CaseStatus, int | None] = {
    CaseStatus.RECEIVED: 1,
    CaseStatus.WITHDRAWN: 2,
    CaseStatus.CORRECTION: 6,
    CaseStatus.REFUSED: 5,
    CaseStatus.ACCEPTED: 3,
    CaseStatus.IN_REVIEW: 8,
    CaseStatus.APPROVED: 11,
    CaseStatus.APPROVED_RQ: 12,
    CaseStatus.REJECTED: 13,
    CaseStatus.ISSUED: None,
    CaseStatus.DELIVERED: None,
    CaseStatus.TERMINATED: None,
    CaseStatus.RECALLED: 14,
    CaseStatus.FORWARDED: None,
    CaseStatus.PARTNER_SIGNED: None,
    CaseStatus.SPECIAL: 9,
}


def export_status_code(status: CaseStatus, *, is_rongque: bool = False) -> int | None:
    """The platform code for export: ``STATUS_CODES``, except ISSUED which carries its decision's 11 / 12."""
    if status is CaseStatus.ISSUED:
        return 12 if is_rongque else 11
    return STATUS_CODES[status]


CLOSED_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.WITHDRAWN, CaseStatus.REFUSED, CaseStatus.DELIVERED, CaseStatus.TERMINATED, CaseStatus.RECALLED}
)
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(CaseStatus) - CLOSED_STATUSES
DECIDED_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.APPROVED, CaseStatus.APPROVED_RQ, CaseStatus.REJECTED, CaseStatus.ISSUED, CaseStatus.DELIVERED}
)
AWAITING_DECISION_STATUSES: frozenset[CaseStatus] = OPEN_STATUSES - DECIDED_STATUSES
CLOCK_STOPPED_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.CORRECTION, CaseStatus.SPECIAL})
# Forwarded to a partner district, which has not decided yet: the partner's messages move the case on.
PARTNER_PENDING_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.FORWARDED, CaseStatus.PARTNER_SIGNED})


class CaseEvent(enum.StrEnum):
    RECEIVE = "receive"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    ACCEPT_WITH_DEFICIENCY = "accept_with_deficiency"
    REQUEST_CORRECTION = "request_correction"
    CORRECTION_DONE = "correction_done"
    REFUSE = "refuse"
    START_REVIEW = "start_review"
    DECIDE_APPROVE = "decide_approve"
    DECIDE_REJECT = "decide_reject"
    ISSUE = "issue"
    DELIVER = "deliver"
    TERMINATE = "terminate"
    RECALL = "recall"
    FORWARD = "forward"
    SIGN_FOR = "sign_for"
    PARTNER_SIGN = "partner_sign"
    PARTNER_STATUS = "partner_status"
    RESULT_RETURN = "result_return"
    PARTNER_REJECT = "partner_reject"
    PARTNER_REFUSE = "partner_refuse"
    # The legal clock (issue 12): 特别程序, 延期, deemed acceptance.
    START_SPECIAL = "start_special"
    END_SPECIAL = "end_special"
    EXTEND = "extend"
    DEEMED_ACCEPT = "deemed_accept"


EVENT_LABELS: dict[CaseEvent, str] = {
    CaseEvent.RECEIVE: N_("收件"),
    CaseEvent.WITHDRAW: N_("撤件"),
    CaseEvent.ACCEPT: N_("受理"),
    CaseEvent.ACCEPT_WITH_DEFICIENCY: N_("容缺受理"),
    CaseEvent.REQUEST_CORRECTION: N_("一次性告知补正"),
    CaseEvent.CORRECTION_DONE: N_("补正完成"),
    CaseEvent.REFUSE: N_("不予受理"),
    CaseEvent.START_REVIEW: N_("开始审查"),
    CaseEvent.DECIDE_APPROVE: N_("办结(通过)"),
    CaseEvent.DECIDE_REJECT: N_("办结(不通过)"),
    CaseEvent.ISSUE: N_("出证"),
    CaseEvent.DELIVER: N_("送达"),
    CaseEvent.TERMINATE: N_("终止"),
    CaseEvent.RECALL: N_("撤回"),
    CaseEvent.FORWARD: N_("转外区办理"),
    CaseEvent.SIGN_FOR: N_("签收"),
    CaseEvent.PARTNER_SIGN: N_("对方签收"),
    CaseEvent.PARTNER_STATUS: N_("对方办理进度"),
    CaseEvent.RESULT_RETURN: N_("对方办结并返回结果"),
    CaseEvent.PARTNER_REJECT: N_("对方办结(不通过)"),
    CaseEvent.PARTNER_REFUSE: N_("对方不予受理"),
    CaseEvent.START_SPECIAL: N_("特别程序开始"),
    CaseEvent.END_SPECIAL: N_("特别程序结束"),
    CaseEvent.EXTEND: N_("延期"),
    CaseEvent.DEEMED_ACCEPT: N_("逾期未告知,视为受理"),
}

# Events only the system fires, from a partner district's messages (never offered as a button).
PARTNER_EVENTS: frozenset[CaseEvent] = frozenset(
    {
        CaseEvent.PARTNER_SIGN,
        CaseEvent.PARTNER_STATUS,
        CaseEvent.RESULT_RETURN,
        CaseEvent.PARTNER_REJECT,
        CaseEvent.PARTNER_REFUSE,
    }
)


class Actor(enum.StrEnum):
    """Who fires an event. The central office (CENTRAL role) is read-only and has no actor."""

    STAFF = "staff"  # station staff of the receiving station
    CLERK = "clerk"  # the enterprise's dedicated clerk (专属帮办)
    ENTERPRISE = "enterprise"  # the applicant
    ADMIN = "admin"  # supervisor
    SYSTEM = "system"
    DEPARTMENT = "department"  # the back office (业务口) a collected case was handed to


# Guard reason codes and their messages (Chinese msgids; wrap in gettext() when shown).
GUARD_MESSAGES: dict[str, str] = {
    "materials_not_verified": N_("必要材料尚未全部核验"),
    "rongque_not_allowed": N_("该事项不适用容缺受理"),
    "rongque_instant": N_("即办件不适用容缺受理"),
    "nothing_missing": N_("材料齐全，无需容缺受理"),
    "main_material_missing": N_("缺少主要材料或不可容缺的材料"),
    "credit_flag": N_("申请人信用状况不适用容缺受理"),
    "commitment_missing": N_("申请人尚未签署容缺承诺书"),
    "correction_once": N_("补正只能一次性告知"),
    "reason_required": N_("请填写理由"),
    "deficiencies_unverified": N_("容缺材料尚未全部补齐核验"),
    "not_rongque": N_("该办件不是容缺受理"),
    "not_overdue": N_("容缺材料尚未逾期"),
    "no_partner": N_("没有可办理该事项的合作地区"),
    "xr_unsigned": N_("跨区转来的办件须先签收"),
    "not_awaiting_sign": N_("该办件无需签收"),
    "already_extended": N_("该办件已延期一次,不能再次延期"),
    "correction_content_required": N_("请一次性列明需要补正的全部内容。"),
    "reject_reasons_required": N_("请填写不予批准的理由及救济途径。"),
    "delivery_mode_unknown": N_("请选择送达方式。"),
}

# Guards that check form input (filled in when the event is fired): available_events() does not evaluate them.
# Every way into a case (the case page, API v1, ...) reaches them through the services, so they refuse alike.
FORM_GUARD_CODES: frozenset[str] = frozenset(
    {
        "reason_required",
        "commitment_missing",
        "correction_content_required",
        "reject_reasons_required",
        "delivery_mode_unknown",
    }
)

# The law wants written reasons for a rejection (行政许可法 art. 38) and a complete one-time correction notice
# (art. 32): these events cannot go without a note. The pages mark their note field as required from this set.
NOTE_REQUIRED_EVENTS: frozenset[CaseEvent] = frozenset({CaseEvent.REQUEST_CORRECTION, CaseEvent.DECIDE_REJECT})

# Delivery modes (送达方式) a delivered result may take; an empty mode means COUNTER (the default).
DELIVERY_MODE_CODES: tuple[str, ...] = ("COUNTER", "POST", "ELECTRONIC", "ONSITE")
DEFAULT_DELIVERY_MODE = "COUNTER"

# Two tiers (现场受理、后台流转): on a case handed to a department (its station only COLLECTs the item), these
# are the department's; the station keeps intake, correction, delivery. A department acts on nothing else.
BACK_OFFICE_EVENTS: frozenset[CaseEvent] = frozenset(
    {
        CaseEvent.START_REVIEW,
        CaseEvent.DECIDE_APPROVE,
        CaseEvent.DECIDE_REJECT,
        CaseEvent.START_SPECIAL,
        CaseEvent.END_SPECIAL,
        CaseEvent.ISSUE,
        CaseEvent.EXTEND,
    }
)


class CaseFlowError(Exception):
    code: str = "case_flow_error"


class IllegalTransition(CaseFlowError):
    """The event does not apply to the current status (or to this kind of item: instant vs committed)."""

    code = "illegal_transition"

    def __init__(self, event: str, status: str | None) -> None:
        super().__init__(f"{event} does not apply to {status or 'a new case'}")
        self.event = event
        self.status = status


class NotPermitted(CaseFlowError):
    code = "not_permitted"

    def __init__(self, event: str, actor: str) -> None:
        super().__init__(f"{actor} may not fire {event}")
        self.event = event
        self.actor = actor


class GuardFailed(CaseFlowError):
    """A guard failed; ``code`` is the reason code (a key of ``GUARD_MESSAGES``)."""

    def __init__(self, event: str, reason_code: str) -> None:
        super().__init__(f"{event}: {reason_code}")
        self.event = event
        self.reason_code = reason_code
        self.code = reason_code

    @property
    def message(self) -> str:
        return GUARD_MESSAGES.get(self.reason_code, self.reason_code)


@dataclass(frozen=True)
class Transition:
    event: CaseEvent
    sources: frozenset[CaseStatus | None]  # None = a case not yet created
    target: CaseStatus
    actors: frozenset[Actor]
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
    for transition in TRANSITIONS:
        if transition.event == event and transition.applies_to(status, is_instant=is_instant):
            return transition
    return None


def _tier_allows(facts: CaseFacts, event: CaseEvent, actor: Actor) -> bool:
    """现场受理、后台流转: a handed-over case is decided by its department only; a department acts on nothing else."""
    if actor is Actor.DEPARTMENT:
        return facts.back_office
    if facts.back_office and actor in (Actor.STAFF, Actor.CLERK):
        return event not in BACK_OFFICE_EVENTS
    return True


def _resolve(facts: CaseFacts, event: CaseEvent, actor: Actor, *, include_form_guards: bool) -> CaseStatus:
    transition = find_transition(facts.status, event, is_instant=facts.is_instant)
    if transition is None:
        raise IllegalTransition(event, facts.status)
    if actor not in transition.actors or not _tier_allows(facts, event, actor):
        raise NotPermitted(event, actor)
    failures = guard_failures(facts, event, include_form_guards=include_form_guards)
    if failures:
        raise GuardFailed(event, failures[0])
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
    events = []
    for event in CaseEvent:
        try:
            _resolve(facts, event, actor, include_form_guards=False)
        except CaseFlowError:
            continue
        events.append(event)
    return events


# --- Deficiency (容缺 item), domain.md §3.2 ------------------------------------------------------------------
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
