"""The scaffolding the case, appeal and meeting machines share (domain/transitions.py): each machine's refusals are
its own classes on common bases, with the same codes, words and attributes."""

from __future__ import annotations

import pytest

from stations.domain import appeal_flow, case_flow, meeting_flow, transitions

MACHINES = [
    pytest.param(case_flow, case_flow.CaseFlowError, "a new case", id="case"),
    pytest.param(appeal_flow, appeal_flow.AppealFlowError, "a new appeal", id="appeal"),
    pytest.param(meeting_flow, meeting_flow.MeetingFlowError, "a new meeting", id="meeting"),
]


@pytest.mark.parametrize(("flow", "base", "new_record"), MACHINES)
def test_each_machine_refuses_with_its_own_classes_on_the_common_bases(flow, base, new_record):
    illegal = flow.IllegalTransition("accept", None)
    assert isinstance(illegal, base) and isinstance(illegal, transitions.IllegalTransition)
    assert (illegal.code, str(illegal), illegal.event) == (
        "illegal_transition",
        f"accept does not apply to {new_record}",
        "accept",
    )
    refused = flow.NotPermitted("accept", "enterprise")
    assert isinstance(refused, base) and (refused.code, refused.actor) == ("not_permitted", "enterprise")
    code = next(iter(flow.GUARD_MESSAGES))
    guard = flow.GuardFailed("accept", code)
    assert isinstance(guard, base) and (guard.code, guard.reason_code) == (code, code)
    assert guard.message == flow.GUARD_MESSAGES[code]
    assert flow.GuardFailed("accept", "no_such_code").message == "no_such_code"


def test_only_the_case_refusal_carries_the_status():
    """The appeal and meeting edges read ``error.status`` as an HTTP status; the case edges keep the case's."""
    assert case_flow.IllegalTransition("accept", "RECEIVED").status == "RECEIVED"
    assert not hasattr(appeal_flow.IllegalTransition("reply", "REGISTERED"), "status")
    assert not hasattr(meeting_flow.IllegalTransition("hold", "REQUESTED"), "status")


def test_check_runs_status_then_actor_then_guards_and_may_skip_form_guards():
    row = transitions.row("go", ["A"], "B", "staff")
    refusals = appeal_flow._REFUSALS
    common = {"event": "go", "status": "A", "actor": "staff", "form_guard_codes": frozenset({"reason_required"})}

    def check(transition, *, allowed=True, codes=(), form=True):
        return transitions.check(
            refusals,
            transition,
            actor_allowed=lambda _t: allowed,
            guard_codes=lambda: codes,
            include_form_guards=form,
            **common,
        )

    with pytest.raises(appeal_flow.IllegalTransition):
        check(None, allowed=False, codes=["x"])
    with pytest.raises(appeal_flow.NotPermitted):
        check(row, allowed=False, codes=["x"])
    with pytest.raises(appeal_flow.GuardFailed) as failed:
        check(row, codes=["reason_required", "x"])
    assert failed.value.code == "reason_required"
    with pytest.raises(appeal_flow.GuardFailed) as failed:
        check(row, codes=["reason_required", "x"], form=False)
    assert failed.value.code == "x"
    assert check(row, codes=["reason_required"], form=False) is row


def test_firable_keeps_the_order_and_drops_the_refused():
    def attempt(event):
        if event % 2:
            raise appeal_flow.NotPermitted(str(event), "x")

    assert transitions.firable(range(6), attempt, appeal_flow.AppealFlowError) == [0, 2, 4]
