"""The case lifecycle (stations.domain.case_flow), tested against an independent literal table.

The expectation below is written out by hand as plain strings (it never reads ``TRANSITIONS``), and every
(status incl. a new case, event, actor, item kind) combination is checked against it.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from stations.domain.case_flow import (
    TRANSITIONS,
    CaseFacts,
    CaseFlowError,
    GuardFailed,
    IllegalTransition,
    NotPermitted,
    available_events,
    find_transition,
    next_status,
)
from stations.domain.case_vocabulary import (
    AWAITING_DECISION_STATUSES,
    CLOCK_STOPPED_STATUSES,
    CLOSED_STATUSES,
    DECIDED_STATUSES,
    EVENT_LABELS,
    FORM_GUARD_CODES,
    GUARD_MESSAGES,
    OPEN_STATUSES,
    STATUS_CODES,
    STATUS_LABELS,
    Actor,
    CaseEvent,
    CaseStatus,
    export_status_code,
)
from stations.domain.deficiency_flow import (
    DEFICIENCY_TRANSITIONS,
    DeficiencyEvent,
    DeficiencyStatus,
    available_deficiency_events,
    next_deficiency_status,
)

# event | from (- = a new case) | to | actors (S staff, C clerk, E enterprise, A admin, Y system, D department) | items
# Written for a case whose guards all pass; a 容缺 case approves to approved_rq instead of approved.
EXPECTED_TABLE = """
receive                | -                    | received    | S C E Y | all
withdraw               | received correction  | withdrawn   | S C E | all
accept                 | received             | accepted    | S C   | all
accept_with_deficiency | received             | accepted    | S C   | all
request_correction     | received accepted in_review | correction | S C | all
correction_done        | correction           | received    | S C   | all
refuse                 | received correction  | refused     | S C   | all
start_review           | accepted             | in_review   | S D   | committed
decide_approve         | in_review            | approved    | S D   | all
decide_approve         | accepted             | approved    | S C D | instant
decide_reject          | in_review            | rejected    | S D   | all
decide_reject          | accepted             | rejected    | S C D | instant
issue                  | approved approved_rq | issued      | S D   | all
deliver                | issued rejected      | delivered   | S C D | all
terminate              | accepted in_review   | terminated  | S A   | all
recall                 | accepted in_review   | recalled    | E     | all
forward                | received             | forwarded   | S C   | all
sign_for               | received             | received    | S     | all
partner_sign           | forwarded            | partner_signed | Y  | all
partner_status         | forwarded partner_signed | partner_signed | Y | all
result_return          | forwarded partner_signed | issued   | Y     | all
partner_reject         | forwarded partner_signed | rejected | Y     | all
partner_refuse         | forwarded partner_signed | refused  | Y     | all
start_special          | in_review            | special     | S D   | committed
end_special            | special              | in_review   | S D   | all
extend                 | accepted             | accepted    | A D   | committed
extend                 | in_review            | in_review   | A D   | committed
deemed_accept          | received             | accepted    | Y     | all
"""
# On a case handed to a department (back_office), these are the department's alone.
BACK_OFFICE = {"start_review", "decide_approve", "decide_reject", "start_special", "end_special", "issue", "extend"}
ACTOR_LETTERS = {"S": "staff", "C": "clerk", "E": "enterprise", "A": "admin", "Y": "system", "D": "department"}

ALL_STATUSES = [
    None,
    "received",
    "withdrawn",
    "correction",
    "refused",
    "accepted",
    "in_review",
    "approved",
    "approved_rq",
    "rejected",
    "issued",
    "delivered",
    "terminated",
    "recalled",
    "forwarded",
    "partner_signed",
    "special",
]
ALL_EVENTS = [
    "receive",
    "withdraw",
    "accept",
    "accept_with_deficiency",
    "request_correction",
    "correction_done",
    "refuse",
    "start_review",
    "decide_approve",
    "decide_reject",
    "issue",
    "deliver",
    "terminate",
    "recall",
    "forward",
    "sign_for",
    "partner_sign",
    "partner_status",
    "result_return",
    "partner_reject",
    "partner_refuse",
    "start_special",
    "end_special",
    "extend",
    "deemed_accept",
]
ALL_ACTORS = ["staff", "clerk", "enterprise", "admin", "system", "department"]
KINDS = ["committed", "instant"]


def parse_table(text: str) -> dict[tuple[str, str | None, str], tuple[str, frozenset[str]]]:
    """(event, from, kind) -> (to, actors)."""
    rows: dict[tuple[str, str | None, str], tuple[str, frozenset[str]]] = {}
    for line in text.strip().splitlines():
        event, sources, target, actors, items = (cell.strip() for cell in line.split("|"))
        kinds = KINDS if items == "all" else [items]
        for source in sources.split():
            for kind in kinds:
                key = (event, None if source == "-" else source, kind)
                assert key not in rows, f"duplicate expectation {key}"
                rows[key] = (target, frozenset(ACTOR_LETTERS[a] for a in actors.split()))
    return rows


EXPECTED = parse_table(EXPECTED_TABLE)


def passing_facts(status: str | None, *, instant: bool, rongque: bool, back_office: bool = False) -> CaseFacts:
    """A case on which every guard passes (terminate needs a 容缺 case)."""
    return CaseFacts(
        status=None if status is None else CaseStatus(status.upper()),
        is_instant=instant,
        is_rongque=rongque,
        item_rongque_allowed=True,
        item_rongque_days=3,
        credit_normal=True,
        required_materials_verified=True,
        missing_materials_minor_and_allowed=True,
        missing_count=1,
        commitment_signed=True,
        correction_already_requested=False,
        deficiencies_all_verified=True,
        deficiency_overdue=True,
        reason="不属于本机关职权范围",
        note="请补交营业执照副本;理由及救济途径",
        xr_partner_available=True,
        xr_inbound_unsigned=False,
        back_office=back_office,
    )


def expected_outcome(
    status: str | None, event: str, actor: str, kind: str, rongque: bool, back_office: bool = False
) -> str:
    """'illegal', 'not_permitted', 'guard:<code>' or the target status."""
    row = EXPECTED.get((event, status, kind))
    if row is None:
        return "illegal"
    target, actors = row
    if actor not in actors:
        return "not_permitted"
    if actor == "department" and not back_office:
        return "not_permitted"  # a department acts only on the cases handed to it
    if back_office and actor in ("staff", "clerk") and event in BACK_OFFICE:
        return "not_permitted"
    if event == "terminate" and not rongque:
        return "guard:not_rongque"
    if event == "sign_for":
        return "guard:not_awaiting_sign"  # these facts describe a case already signed for (or not forwarded)
    if target == "approved" and rongque:
        return "approved_rq"
    return target


def outcome(facts: CaseFacts, event: str, actor: str) -> str:
    try:
        return str(next_status(facts, CaseEvent(event), Actor(actor))).lower()
    except IllegalTransition:
        return "illegal"
    except NotPermitted:
        return "not_permitted"
    except GuardFailed as exc:
        return f"guard:{exc.code}"


COMBINATIONS = list(itertools.product(ALL_STATUSES, ALL_EVENTS, ALL_ACTORS))
VARIANTS = list(itertools.product(KINDS, [False, True]))  # item kind x 容缺 case, checked inside each test


@pytest.mark.parametrize(
    ("status", "event", "actor"), COMBINATIONS, ids=[f"{s or 'new'}-{e}-{a}" for s, e, a in COMBINATIONS]
)
def test_every_combination_matches_the_literal_table(status, event, actor):
    for kind, rongque in VARIANTS:
        facts = passing_facts(status, instant=kind == "instant", rongque=rongque)
        expected = expected_outcome(status, event, actor, kind, rongque)
        assert outcome(facts, event, actor) == expected, (kind, "rongque" if rongque else "plain")


@pytest.mark.parametrize(
    ("status", "event", "actor"), COMBINATIONS, ids=[f"{s or 'new'}-{e}-{a}" for s, e, a in COMBINATIONS]
)
def test_every_combination_on_a_case_handed_to_a_department(status, event, actor):
    for kind, rongque in VARIANTS:
        facts = passing_facts(status, instant=kind == "instant", rongque=rongque, back_office=True)
        expected = expected_outcome(status, event, actor, kind, rongque, back_office=True)
        assert outcome(facts, event, actor) == expected, (kind, "rongque" if rongque else "plain")


def test_the_literal_table_covers_the_whole_enum_space():
    assert [s.value.lower() for s in CaseStatus] == ALL_STATUSES[1:]
    assert [e.value for e in CaseEvent] == ALL_EVENTS
    assert [a.value for a in Actor] == ALL_ACTORS
    assert len(COMBINATIONS) * len(VARIANTS) == 17 * 25 * 6 * 2 * 2


def test_at_most_one_row_applies_to_each_status_event_and_kind():
    for status, event, instant in itertools.product([None, *CaseStatus], CaseEvent, [False, True]):
        rows = [t for t in TRANSITIONS if t.event == event and t.applies_to(status, is_instant=instant)]
        assert len(rows) <= 1, (status, event, instant)
        assert find_transition(status, event, is_instant=instant) == (rows[0] if rows else None)


def test_system_fires_only_the_receipt_of_a_forwarded_case_and_the_partners_events():
    fired_by_system = {t.event.value for t in TRANSITIONS if Actor.SYSTEM in t.actors}
    assert fired_by_system == {
        "receive",
        "deemed_accept",
        "partner_sign",
        "partner_status",
        "result_return",
        "partner_reject",
        "partner_refuse",
    }
    # ...and the partner's events are fired by nobody else.
    assert all(t.actors == {Actor.SYSTEM} for t in TRANSITIONS if t.event.value.startswith(("partner_", "result_")))
    assert {a.value for a in Actor} == {"staff", "clerk", "enterprise", "admin", "system", "department"}  # no CENTRAL


# --- guards: each with a passing and a failing case ---------------------------------------------------------------

RQ_READY = {
    "item_rongque_allowed": True,
    "missing_count": 2,
    "missing_materials_minor_and_allowed": True,
    "credit_normal": True,
    "commitment_signed": True,
}

GUARD_CASES = [
    # id, status, event, actor, facts, expected
    ("accept-ok", "received", "accept", "staff", {"required_materials_verified": True}, "accepted"),
    ("accept-unverified", "received", "accept", "clerk", {}, "guard:materials_not_verified"),
    ("extend-ok", "in_review", "extend", "department", {"back_office": True, "reason": "需现场核查"}, "in_review"),
    (
        "extend-twice",
        "accepted",
        "extend",
        "admin",
        {"already_extended": True, "reason": "需现场核查"},
        "guard:already_extended",
    ),
    ("extend-no-reason", "in_review", "extend", "admin", {}, "guard:reason_required"),
    ("special-ok", "in_review", "start_special", "staff", {"reason": "专家评审"}, "special"),
    ("special-no-reason", "in_review", "start_special", "department", {"back_office": True}, "guard:reason_required"),
    ("rq-ok", "received", "accept_with_deficiency", "clerk", RQ_READY, "accepted"),
    (
        "rq-item",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "item_rongque_allowed": False},
        "guard:rongque_not_allowed",
    ),
    (
        "rq-main",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "missing_materials_minor_and_allowed": False},
        "guard:main_material_missing",
    ),
    (
        "rq-none-missing",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "missing_count": 0},
        "guard:nothing_missing",
    ),
    (
        "rq-credit",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "credit_normal": False},
        "guard:credit_flag",
    ),
    (
        "rq-commitment",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "commitment_signed": False},
        "guard:commitment_missing",
    ),
    (
        "rq-instant",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "is_instant": True},
        "guard:rongque_instant",
    ),
    (
        "rq-instant-own-days",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "is_instant": True, "item_rongque_days": 3},
        "accepted",
    ),
    (
        "rq-first-failure-wins",
        "received",
        "accept_with_deficiency",
        "staff",
        {"missing_count": 1},
        "guard:rongque_not_allowed",
    ),
    ("correction-first", "received", "request_correction", "staff", {"note": "补营业执照"}, "correction"),
    # The notice must say what to correct, all at once (行政许可法 art. 32): no empty notice at any entry point.
    ("correction-empty", "received", "request_correction", "staff", {}, "guard:correction_content_required"),
    (
        "correction-blank",
        "accepted",
        "request_correction",
        "clerk",
        {"note": " \n"},
        "guard:correction_content_required",
    ),
    (
        "correction-second",
        "received",
        "request_correction",
        "clerk",
        {"correction_already_requested": True, "note": "再补"},
        "guard:correction_once",
    ),
    ("refuse-reason", "correction", "refuse", "staff", {"reason": "非本机关职权范围"}, "refused"),
    ("refuse-no-reason", "received", "refuse", "staff", {}, "guard:reason_required"),
    ("refuse-blank-reason", "received", "refuse", "clerk", {"reason": "  \n"}, "guard:reason_required"),
    ("approve-plain", "in_review", "decide_approve", "staff", {}, "approved"),
    (
        "approve-plain-ignores-deficiencies",
        "in_review",
        "decide_approve",
        "staff",
        {"deficiencies_all_verified": False},
        "approved",
    ),
    (
        "approve-rq-verified",
        "in_review",
        "decide_approve",
        "staff",
        {"is_rongque": True, "deficiencies_all_verified": True},
        "approved_rq",
    ),
    (
        "approve-rq-unverified",
        "in_review",
        "decide_approve",
        "staff",
        {"is_rongque": True},
        "guard:deficiencies_unverified",
    ),
    ("approve-instant", "accepted", "decide_approve", "clerk", {"is_instant": True}, "approved"),
    (
        "approve-instant-rq-unverified",
        "accepted",
        "decide_approve",
        "clerk",
        {"is_instant": True, "is_rongque": True},
        "guard:deficiencies_unverified",
    ),
    ("reject-rq-unverified", "in_review", "decide_reject", "staff", {"is_rongque": True, "note": "理由"}, "rejected"),
    # A rejection gives its reasons and the remedies (art. 38): never without a note.
    ("reject-no-reasons", "in_review", "decide_reject", "staff", {}, "guard:reject_reasons_required"),
    (
        "reject-blank",
        "accepted",
        "decide_reject",
        "clerk",
        {"is_instant": True, "note": "  "},
        "guard:reject_reasons_required",
    ),
    ("deliver-default-mode", "issued", "deliver", "staff", {}, "delivered"),
    ("deliver-post", "rejected", "deliver", "clerk", {"delivery_mode": "POST"}, "delivered"),
    ("deliver-unknown-mode", "issued", "deliver", "staff", {"delivery_mode": "DRONE"}, "guard:delivery_mode_unknown"),
    (
        "terminate-overdue",
        "in_review",
        "terminate",
        "admin",
        {"is_rongque": True, "deficiency_overdue": True},
        "terminated",
    ),
    ("terminate-not-overdue", "accepted", "terminate", "staff", {"is_rongque": True}, "guard:not_overdue"),
    ("terminate-not-rongque", "accepted", "terminate", "admin", {"deficiency_overdue": True}, "guard:not_rongque"),
    ("start-review-committed", "accepted", "start_review", "staff", {}, "in_review"),
    ("start-review-instant", "accepted", "start_review", "staff", {"is_instant": True}, "illegal"),
    ("instant-approve-committed", "accepted", "decide_approve", "staff", {}, "illegal"),
    # Order of checks: illegal before not permitted before guards.
    ("order-illegal-first", "in_review", "accept", "enterprise", {}, "illegal"),
    ("order-permission-before-guard", "received", "accept", "enterprise", {}, "not_permitted"),
    ("order-refuse-permission", "received", "refuse", "admin", {}, "not_permitted"),
    # Cross-region: forward needs a partner and the form check; a case forwarded to us is signed for first.
    (
        "forward-ok",
        "received",
        "forward",
        "staff",
        {"xr_partner_available": True, "required_materials_verified": True},
        "forwarded",
    ),
    ("forward-no-partner", "received", "forward", "staff", {"required_materials_verified": True}, "guard:no_partner"),
    (
        "forward-unchecked",
        "received",
        "forward",
        "clerk",
        {"xr_partner_available": True},
        "guard:materials_not_verified",
    ),
    (
        "forward-inbound",
        "received",
        "forward",
        "staff",
        {"xr_partner_available": True, "xr_inbound_unsigned": True, "required_materials_verified": True},
        "guard:xr_unsigned",
    ),
    ("sign-for-ok", "received", "sign_for", "staff", {"xr_inbound_unsigned": True}, "received"),
    ("sign-for-clerk", "received", "sign_for", "clerk", {"xr_inbound_unsigned": True}, "not_permitted"),
    ("sign-for-not-needed", "received", "sign_for", "staff", {}, "guard:not_awaiting_sign"),
    (
        "accept-unsigned",
        "received",
        "accept",
        "staff",
        {"xr_inbound_unsigned": True, "required_materials_verified": True},
        "guard:xr_unsigned",
    ),
    (
        "refuse-unsigned",
        "received",
        "refuse",
        "staff",
        {"xr_inbound_unsigned": True, "reason": "x"},
        "guard:xr_unsigned",
    ),
    (
        "correction-unsigned",
        "received",
        "request_correction",
        "staff",
        {"xr_inbound_unsigned": True},
        "guard:xr_unsigned",
    ),
    (
        "rq-unsigned",
        "received",
        "accept_with_deficiency",
        "staff",
        {**RQ_READY, "xr_inbound_unsigned": True},
        "guard:xr_unsigned",
    ),
    ("partner-sign-by-staff", "forwarded", "partner_sign", "staff", {}, "not_permitted"),
    ("result-return", "partner_signed", "result_return", "system", {}, "issued"),
]


@pytest.mark.parametrize(
    ("status", "event", "actor", "facts", "expected"), [c[1:] for c in GUARD_CASES], ids=[c[0] for c in GUARD_CASES]
)
def test_guards(status, event, actor, facts, expected):
    case = CaseFacts(status=CaseStatus(status.upper()), **facts)
    assert outcome(case, event, actor) == expected


def test_errors_carry_code_and_context():
    with pytest.raises(IllegalTransition) as illegal:
        next_status(CaseFacts(status=CaseStatus.DELIVERED), CaseEvent.ISSUE, Actor.STAFF)
    assert (illegal.value.code, illegal.value.event, illegal.value.status) == (
        "illegal_transition",
        "issue",
        "DELIVERED",
    )

    with pytest.raises(IllegalTransition) as new_case:
        next_status(CaseFacts(status=None), CaseEvent.ACCEPT, Actor.STAFF)
    assert new_case.value.status is None

    with pytest.raises(NotPermitted) as denied:
        next_status(CaseFacts(status=CaseStatus.ACCEPTED), CaseEvent.RECALL, Actor.STAFF)
    assert (denied.value.code, denied.value.event, denied.value.actor) == ("not_permitted", "recall", "staff")

    with pytest.raises(GuardFailed) as guard:
        next_status(CaseFacts(status=CaseStatus.RECEIVED), CaseEvent.ACCEPT, Actor.STAFF)
    assert (guard.value.code, guard.value.reason_code, guard.value.event) == (
        "materials_not_verified",
        "materials_not_verified",
        "accept",
    )
    assert guard.value.message == "必要材料尚未全部核验"
    for error in (illegal, denied, guard):
        assert isinstance(error.value, CaseFlowError)


def test_every_guard_code_has_a_message():
    codes = {expected.removeprefix("guard:") for *_, expected in GUARD_CASES if expected.startswith("guard:")}
    assert codes == set(GUARD_MESSAGES)
    assert set(GUARD_MESSAGES) >= FORM_GUARD_CODES


# --- available_events ---------------------------------------------------------------------------------------------

AVAILABLE_CASES = [
    ("new-enterprise", CaseFacts(status=None), "enterprise", ["receive"]),
    ("new-admin", CaseFacts(status=None), "admin", []),
    # Reason and commitment are form input: refuse and accept_with_deficiency stay on offer without them.
    (
        "received-staff-rq-item",
        CaseFacts(
            status=CaseStatus.RECEIVED,
            item_rongque_allowed=True,
            missing_count=1,
            missing_materials_minor_and_allowed=True,
        ),
        "staff",
        ["withdraw", "accept_with_deficiency", "request_correction", "refuse"],
    ),
    (
        "received-clerk-complete",
        CaseFacts(status=CaseStatus.RECEIVED, required_materials_verified=True, correction_already_requested=True),
        "clerk",
        ["withdraw", "accept", "refuse"],
    ),
    (
        "received-bad-credit",
        CaseFacts(
            status=CaseStatus.RECEIVED,
            item_rongque_allowed=True,
            missing_count=1,
            missing_materials_minor_and_allowed=True,
            credit_normal=False,
        ),
        "staff",
        ["withdraw", "request_correction", "refuse"],
    ),
    ("received-enterprise", CaseFacts(status=CaseStatus.RECEIVED), "enterprise", ["withdraw"]),
    ("correction-staff", CaseFacts(status=CaseStatus.CORRECTION), "staff", ["withdraw", "correction_done", "refuse"]),
    (
        "accepted-staff-committed",
        CaseFacts(status=CaseStatus.ACCEPTED),
        "staff",
        ["request_correction", "start_review"],
    ),
    (
        "accepted-clerk-instant",
        CaseFacts(status=CaseStatus.ACCEPTED, is_instant=True),
        "clerk",
        ["request_correction", "decide_approve", "decide_reject"],
    ),
    ("accepted-enterprise", CaseFacts(status=CaseStatus.ACCEPTED), "enterprise", ["recall"]),
    (
        "review-staff-rq-overdue",
        CaseFacts(status=CaseStatus.IN_REVIEW, is_rongque=True, deficiency_overdue=True),
        "staff",
        ["request_correction", "decide_reject", "terminate", "start_special"],
    ),
    (
        "review-staff-rq-verified",
        CaseFacts(status=CaseStatus.IN_REVIEW, is_rongque=True, deficiencies_all_verified=True),
        "staff",
        ["request_correction", "decide_approve", "decide_reject", "start_special"],
    ),
    ("review-admin-plain", CaseFacts(status=CaseStatus.IN_REVIEW), "admin", ["extend"]),
    (
        "review-staff-handed-over",
        CaseFacts(status=CaseStatus.IN_REVIEW, back_office=True),
        "staff",
        ["request_correction"],
    ),
    (
        "accepted-department",
        CaseFacts(status=CaseStatus.ACCEPTED, back_office=True),
        "department",
        ["start_review", "extend"],
    ),
    ("accepted-department-not-handed", CaseFacts(status=CaseStatus.ACCEPTED), "department", []),
    ("approved-rq-staff", CaseFacts(status=CaseStatus.APPROVED_RQ), "staff", ["issue"]),
    ("rejected-clerk", CaseFacts(status=CaseStatus.REJECTED), "clerk", ["deliver"]),
    ("delivered-staff", CaseFacts(status=CaseStatus.DELIVERED), "staff", []),
    ("forwarded-staff", CaseFacts(status=CaseStatus.FORWARDED), "staff", []),
    (
        "in-review-system",
        CaseFacts(status=CaseStatus.IN_REVIEW, is_rongque=True, deficiency_overdue=True),
        "system",
        [],
    ),
]


@pytest.mark.parametrize(
    ("facts", "actor", "expected"), [c[1:] for c in AVAILABLE_CASES], ids=[c[0] for c in AVAILABLE_CASES]
)
def test_available_events(facts, actor, expected):
    assert [str(e) for e in available_events(facts, Actor(actor))] == expected


def test_available_events_still_checked_on_fire():
    facts = CaseFacts(status=CaseStatus.RECEIVED)
    assert CaseEvent.REFUSE in available_events(facts, Actor.STAFF)
    with pytest.raises(GuardFailed, match="reason_required"):
        next_status(facts, CaseEvent.REFUSE, Actor.STAFF)
    assert next_status(dataclasses.replace(facts, reason="不属于受理范围"), CaseEvent.REFUSE, Actor.STAFF) == "REFUSED"


# --- labels, codes, status sets -----------------------------------------------------------------------------------


def test_status_labels_and_codes():
    expected = {
        "received": ("已收件", 1),
        "withdrawn": ("已撤件", 2),
        "correction": ("补正中", 6),
        "refused": ("不予受理", 5),
        "accepted": ("已受理", 3),
        "in_review": ("审查中", 8),
        "approved": ("办结（通过）", 11),
        "approved_rq": ("办结（容缺通过）", 12),
        "rejected": ("办结（不通过）", 13),
        "issued": ("已出证", None),
        "delivered": ("已送达", None),
        "terminated": ("已终止", None),
        "recalled": ("已撤回", 14),
        "forwarded": ("已流转", None),
        "partner_signed": ("对方已签收", None),
        "special": ("特别程序中", 9),
    }
    assert {s.value.lower(): (STATUS_LABELS[s], STATUS_CODES[s]) for s in CaseStatus} == expected


@pytest.mark.parametrize(
    ("status", "is_rongque", "code"),
    [
        ("issued", False, 11),
        ("issued", True, 12),
        ("approved_rq", True, 12),
        ("received", True, 1),
        ("delivered", False, None),
    ],
)
def test_export_status_code(status, is_rongque, code):
    assert export_status_code(CaseStatus(status.upper()), is_rongque=is_rongque) == code


def test_event_labels():
    assert {e.value: EVENT_LABELS[e] for e in CaseEvent} == {
        "receive": "收件",
        "withdraw": "撤件",
        "accept": "受理",
        "accept_with_deficiency": "容缺受理",
        "request_correction": "一次性告知补正",
        "correction_done": "补正完成",
        "refuse": "不予受理",
        "start_review": "开始审查",
        "decide_approve": "办结（通过）",
        "decide_reject": "办结（不通过）",
        "issue": "出证",
        "deliver": "送达",
        "terminate": "终止",
        "recall": "撤回",
        "forward": "转外区办理",
        "sign_for": "签收",
        "partner_sign": "对方签收",
        "partner_status": "对方办理进度",
        "result_return": "对方办结并返回结果",
        "partner_reject": "对方办结（不通过）",
        "partner_refuse": "对方不予受理",
        "start_special": "特别程序开始",
        "end_special": "特别程序结束",
        "extend": "延期",
        "deemed_accept": "逾期未告知，视为受理",
    }


def _values(statuses) -> set[str]:
    return {s.value.lower() for s in statuses}


def test_status_sets():
    assert _values(CLOSED_STATUSES) == {"withdrawn", "refused", "delivered", "terminated", "recalled"}
    assert _values(OPEN_STATUSES) == {
        "received",
        "correction",
        "accepted",
        "in_review",
        "approved",
        "approved_rq",
        "rejected",
        "issued",
        "forwarded",
        "partner_signed",
        "special",
    }
    assert _values(DECIDED_STATUSES) == {"approved", "approved_rq", "rejected", "issued", "delivered"}
    assert _values(AWAITING_DECISION_STATUSES) == {
        "received",
        "correction",
        "accepted",
        "in_review",
        "forwarded",
        "partner_signed",
        "special",
    }
    assert _values(CLOCK_STOPPED_STATUSES) == {"correction", "special"}
    assert set(CaseStatus) == OPEN_STATUSES | CLOSED_STATUSES
    assert not OPEN_STATUSES & CLOSED_STATUSES


def test_closed_statuses_have_no_way_out():
    for status, event, actor in itertools.product(CLOSED_STATUSES, CaseEvent, Actor):
        facts = passing_facts(status.value, instant=False, rongque=True)
        with pytest.raises(IllegalTransition):
            next_status(facts, event, actor)


# --- deficiency (容缺 item) flow -----------------------------------------------------------------------------------

DEFICIENCY_TABLE = """
supply        | pending          | supplied   | E S C
verify        | supplied         | verified   | S C
reject_supply | supplied         | pending    | S C
terminate     | pending supplied | terminated | Y S A
"""


def parse_deficiency_table() -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    rows = {}
    for line in DEFICIENCY_TABLE.strip().splitlines():
        event, sources, target, actors = (cell.strip() for cell in line.split("|"))
        for source in sources.split():
            rows[(event, source)] = (target, frozenset(ACTOR_LETTERS[a] for a in actors.split()))
    return rows


DEFICIENCY_EXPECTED = parse_deficiency_table()
DEFICIENCY_COMBINATIONS = list(
    itertools.product(
        ["pending", "supplied", "verified", "terminated"],
        ["supply", "verify", "reject_supply", "terminate"],
        ALL_ACTORS,
    )
)


@pytest.mark.parametrize(("status", "event", "actor"), DEFICIENCY_COMBINATIONS)
def test_every_deficiency_combination(status, event, actor):
    row = DEFICIENCY_EXPECTED.get((event, status))
    if row is None:
        expected = "illegal"
    elif actor not in row[1]:
        expected = "not_permitted"
    else:
        expected = row[0]
    try:
        got = str(
            next_deficiency_status(DeficiencyStatus(status.upper()), DeficiencyEvent(event), Actor(actor))
        ).lower()
    except IllegalTransition:
        got = "illegal"
    except NotPermitted:
        got = "not_permitted"
    assert got == expected


def test_deficiency_enums_and_table():
    assert [s.value.lower() for s in DeficiencyStatus] == ["pending", "supplied", "verified", "terminated"]
    assert [e.value for e in DeficiencyEvent] == ["supply", "verify", "reject_supply", "terminate"]
    assert len(DEFICIENCY_TRANSITIONS) == 4


@pytest.mark.parametrize(
    ("status", "actor", "expected"),
    [
        ("pending", "enterprise", ["supply"]),
        ("pending", "system", ["terminate"]),
        ("supplied", "clerk", ["verify", "reject_supply"]),
        ("supplied", "admin", ["terminate"]),
        ("verified", "staff", []),
        ("terminated", "enterprise", []),
    ],
)
def test_available_deficiency_events(status, actor, expected):
    assert [str(e) for e in available_deficiency_events(DeficiencyStatus(status.upper()), Actor(actor))] == expected


@pytest.mark.parametrize("before", [CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW])
def test_correction_done_resumes_where_the_notice_stopped(before):
    facts = CaseFacts(status=CaseStatus.CORRECTION, resume_status=before)
    assert next_status(facts, CaseEvent.CORRECTION_DONE, Actor.STAFF) is before


def _events_by_trying_each(facts: CaseFacts, actor: Actor) -> list[CaseEvent]:
    """available_events as it was before the event index: every event tried, refusals caught."""
    allowed = []
    for event in CaseEvent:
        try:
            next_status(dataclasses.replace(facts, commitment_signed=True, reason="r", note="n"), event, actor)
        except CaseFlowError:
            continue
        allowed.append(event)
    return allowed


@pytest.mark.parametrize("status", [None, *CaseStatus])
@pytest.mark.parametrize("is_instant", [False, True])
def test_available_events_skips_only_what_no_row_allows(status, is_instant):
    """The index by event and the skip of events with no row from the status change no answer: every status,
    every actor, both kinds of item, with the form's inputs filled in and with the guards' facts both ways."""
    for actor, verified, back_office in itertools.product(Actor, (False, True), (False, True)):
        facts = CaseFacts(
            status=status,
            is_instant=is_instant,
            required_materials_verified=verified,
            deficiencies_all_verified=verified,
            xr_partner_available=verified,
            back_office=back_office,
        )
        filled = dataclasses.replace(facts, commitment_signed=True, reason="r", note="n")
        assert available_events(filled, actor) == _events_by_trying_each(facts, actor)
