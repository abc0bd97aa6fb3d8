"""一件事 bundle rules (stations.domain.bundles): dependencies, cycles, merged materials, roll-up."""

from __future__ import annotations

import pytest

from stations.domain.bundles import (
    BundleRuleError,
    BundleStatus,
    ChildState,
    MaterialNeed,
    Member,
    dependency_order,
    find_cycle,
    merge_materials,
    ready_to_open,
    roll_up_level,
    roll_up_status,
    validate,
)
from stations.domain.deadlines import WarnLevel

M = Member
START_UP = [M(1), M(2, (1,)), M(3, (1,)), M(4, (1,)), M(5, (1,))]


@pytest.mark.parametrize(
    ("members", "cycle"),
    [
        (START_UP, None),
        ([M(1, (2,)), M(2, (1,))], [1, 2, 1]),
        ([M(1, (1,))], [1, 1]),
        ([M(1), M(2, (3,)), M(3, (4,)), M(4, (2,))], [2, 3, 4, 2]),
        ([M(1), M(2, (1,)), M(3, (1, 2))], None),  # a diamond is no cycle
    ],
)
def test_find_cycle(members, cycle):
    assert find_cycle(members) == cycle


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ([], "no_members"),
        ([M(1), M(1)], "duplicate_seq"),
        ([M(1, (9,))], "unknown_dependency"),
        ([M(1, (2,)), M(2, (1,))], "cycle"),
        ([M(1, (1,))], "cycle"),
    ],
)
def test_validate_refuses(members, code):
    with pytest.raises(BundleRuleError) as refused:
        validate(members)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("members", "order"),
    [
        (START_UP, [1, 2, 3, 4, 5]),
        ([M(1, (3,)), M(2), M(3, (2,))], [2, 3, 1]),
        ([M(1), M(2, (1,)), M(3, (1, 2))], [1, 2, 3]),
    ],
)
def test_dependency_order(members, order):
    assert dependency_order(members) == order


@pytest.mark.parametrize(
    ("concluded", "opened", "ready"),
    [
        ((), (), [1]),
        ((), (1,), []),
        ((1,), (1,), [2, 3, 4, 5]),
        ((1,), (1, 2, 3, 4, 5), []),
    ],
)
def test_ready_to_open(concluded, opened, ready):
    assert ready_to_open(START_UP, concluded, opened) == ready


def test_a_material_of_three_members_is_given_once():
    needs = [
        MaterialNeed(1, 11, "营业执照副本"),
        MaterialNeed(1, 12, "设立申请书"),
        MaterialNeed(2, 21, "营业执照 副本"),  # spacing differs: still the same document
        MaterialNeed(3, 31, "营业执照副本", required=False),
        MaterialNeed(3, 32, "其他补充说明材料", required=False),
    ]
    merged = merge_materials(needs)
    assert [m.name for m in merged] == ["营业执照副本", "设立申请书", "其他补充说明材料"]
    assert merged[0].seqs == [1, 2, 3]
    assert merged[0].required
    assert not merged[2].required
    assert [n.material_id for n in merged[0].needs] == [11, 21, 31]


C, OP, W, F = ChildState.CONCLUDED, ChildState.OPEN, ChildState.WAITING, ChildState.FAILED


@pytest.mark.parametrize(
    ("children", "optional", "status"),
    [
        ({1: OP, 2: W}, (), BundleStatus.IN_PROGRESS),
        ({1: C, 2: OP}, (), BundleStatus.IN_PROGRESS),
        ({1: C, 2: C}, (), BundleStatus.CONCLUDED),
        ({1: C, 2: F}, (), BundleStatus.FAILED),
        ({1: C, 2: F}, (2,), BundleStatus.CONCLUDED),  # an optional member may fail
        ({1: C, 2: OP}, (2,), BundleStatus.IN_PROGRESS),  # ... but an open one is waited for
    ],
)
def test_roll_up_status(children, optional, status):
    assert roll_up_status(children, optional) is status


G, Y, R, P, D = WarnLevel.GREEN, WarnLevel.YELLOW, WarnLevel.RED, WarnLevel.PAUSED, WarnLevel.DONE


@pytest.mark.parametrize(
    ("status", "own", "children", "level"),
    [
        (BundleStatus.IN_PROGRESS, G, [G, D], G),
        (BundleStatus.IN_PROGRESS, G, [Y, G], Y),
        (BundleStatus.IN_PROGRESS, Y, [G], Y),
        (BundleStatus.IN_PROGRESS, R, [G], R),
        (BundleStatus.IN_PROGRESS, G, [P], P),
        (BundleStatus.IN_PROGRESS, G, [R, Y], R),
        (BundleStatus.CONCLUDED, R, [D], D),
        (BundleStatus.FAILED, G, [D], D),
    ],
)
def test_roll_up_level(status, own, children, level):
    assert roll_up_level(status, own, children) is level
