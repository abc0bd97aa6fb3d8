"""The words of the case machine (domain.md §3.1): statuses, events and actors with their labels and platform
codes, the status sets services read, and the guard messages. The transition table and guards are in case_flow.py.

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
* ``CLOCK_STOPPED_STATUSES`` (CORRECTION, SPECIAL) shows as PAUSED.
"""

from __future__ import annotations

import enum


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
    CaseStatus.APPROVED: N_("办结（通过）"),
    CaseStatus.APPROVED_RQ: N_("办结（容缺通过）"),
    CaseStatus.REJECTED: N_("办结（不通过）"),
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
    CaseEvent.DECIDE_APPROVE: N_("办结（通过）"),
    CaseEvent.DECIDE_REJECT: N_("办结（不通过）"),
    CaseEvent.ISSUE: N_("出证"),
    CaseEvent.DELIVER: N_("送达"),
    CaseEvent.TERMINATE: N_("终止"),
    CaseEvent.RECALL: N_("撤回"),
    CaseEvent.FORWARD: N_("转外区办理"),
    CaseEvent.SIGN_FOR: N_("签收"),
    CaseEvent.PARTNER_SIGN: N_("对方签收"),
    CaseEvent.PARTNER_STATUS: N_("对方办理进度"),
    CaseEvent.RESULT_RETURN: N_("对方办结并返回结果"),
    CaseEvent.PARTNER_REJECT: N_("对方办结（不通过）"),
    CaseEvent.PARTNER_REFUSE: N_("对方不予受理"),
    CaseEvent.START_SPECIAL: N_("特别程序开始"),
    CaseEvent.END_SPECIAL: N_("特别程序结束"),
    CaseEvent.EXTEND: N_("延期"),
    CaseEvent.DEEMED_ACCEPT: N_("逾期未告知，视为受理"),
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
    "already_extended": N_("该办件已延期一次，不能再次延期"),
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
