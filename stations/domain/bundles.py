"""一件事 bundles (domain.md §2.14): member order and dependencies, the merged materials list, the roll-up.

Pure rules: members are identified by their ``seq`` (the order within the bundle); ``depends_on`` lists the seqs
that must be concluded before a member opens. No Flask, no SQLAlchemy.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from stations.domain.deadlines import WarnLevel


class BundleRuleError(ValueError):
    """A bundle definition the rules refuse; ``code`` names the rule, ``detail`` the members concerned."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Member:
    seq: int
    depends_on: tuple[int, ...] = ()
    optional: bool = False


def find_cycle(members: Sequence[Member]) -> list[int] | None:
    """A list of seqs forming a dependency cycle (first seq repeated at the end), or None."""
    edges = {m.seq: m.depends_on for m in members}
    state: dict[int, int] = {}  # 1 = on the current path, 2 = finished
    path: list[int] = []

    def visit(seq: int) -> list[int] | None:
        state[seq] = 1
        path.append(seq)
        for dep in edges.get(seq, ()):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep in edges and dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[seq] = 2
        return None

    for member in members:
        if member.seq not in state:
            found = visit(member.seq)
            if found:
                return found
    return None


def validate(members: Sequence[Member]) -> None:
    """Refuse a definition at save: no members, duplicate seqs, unknown or self dependencies, cycles.

    :raise BundleRuleError: ``no_members``, ``duplicate_seq``, ``unknown_dependency``, ``cycle``.
    """
    if not members:
        raise BundleRuleError("no_members")
    seqs = [m.seq for m in members]
    if len(set(seqs)) != len(seqs):
        raise BundleRuleError("duplicate_seq", str(sorted({s for s in seqs if seqs.count(s) > 1})))
    known = set(seqs)
    for member in members:
        unknown = [d for d in member.depends_on if d not in known]
        if unknown:
            raise BundleRuleError("unknown_dependency", f"{member.seq} → {unknown}")
    cycle = find_cycle(members)
    if cycle:
        raise BundleRuleError("cycle", " → ".join(str(s) for s in cycle))


def dependency_order(members: Sequence[Member]) -> list[int]:
    """Seqs in an order where every member comes after its prerequisites (ties by seq). Validates first."""
    validate(members)
    done: list[int] = []
    remaining = sorted(members, key=lambda m: m.seq)
    while remaining:
        ready = [m for m in remaining if all(d in done for d in m.depends_on)]
        done.extend(m.seq for m in ready)
        remaining = [m for m in remaining if m not in ready]
    return done


def ready_to_open(members: Sequence[Member], concluded: Iterable[int], opened: Iterable[int]) -> list[int]:
    """Seqs not yet opened whose prerequisites are all concluded (a member without prerequisites opens at once)."""
    concluded_set, opened_set = set(concluded), set(opened)
    return [
        m.seq
        for m in sorted(members, key=lambda m: m.seq)
        if m.seq not in opened_set and all(d in concluded_set for d in m.depends_on)
    ]


# --- one set of materials ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialNeed:
    seq: int  # the member needing it
    material_id: int  # its ItemMaterial
    name: str
    required: bool = True


@dataclass
class MergedMaterial:
    """One line of the bundle's materials list: given once, used by every member in ``needs``."""

    name: str
    required: bool
    needs: list[MaterialNeed] = field(default_factory=list)

    @property
    def seqs(self) -> list[int]:
        return sorted({n.seq for n in self.needs})


def material_key(name: str) -> str:
    """Materials of different items are the same document when their names match, ignoring spaces and case."""
    return "".join(name.split()).casefold()


def merge_materials(needs: Iterable[MaterialNeed]) -> list[MergedMaterial]:
    """The de-duplicated union of the members' materials, in first-seen order; required if any member requires it."""
    merged: dict[str, MergedMaterial] = {}
    for need in needs:
        line = merged.setdefault(material_key(need.name), MergedMaterial(need.name, False))
        line.required = line.required or need.required
        line.needs.append(need)
    return list(merged.values())


# --- roll-up ------------------------------------------------------------------------------------------------------


class ChildState(enum.StrEnum):
    WAITING = "waiting"  # its prerequisites are not concluded yet: no case exists
    OPEN = "open"  # a case exists and runs
    CONCLUDED = "concluded"  # the case ended with a result (approved / issued / delivered)
    FAILED = "failed"  # the case ended without one (refused, rejected, withdrawn, terminated)


class BundleStatus(enum.StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    CONCLUDED = "CONCLUDED"
    FAILED = "FAILED"


def roll_up_status(children: Mapping[int, ChildState], optional: Iterable[int] = ()) -> BundleStatus:
    """CONCLUDED when every required child concluded; FAILED when a required one failed; else IN_PROGRESS.

    An optional child that failed does not fail the bundle (the applicant may do without it).
    """
    optional_set = set(optional)
    required = {seq: state for seq, state in children.items() if seq not in optional_set}
    if any(state is ChildState.FAILED for state in required.values()):
        return BundleStatus.FAILED
    if all(state is ChildState.CONCLUDED for state in required.values()) and all(
        state in (ChildState.CONCLUDED, ChildState.FAILED) for state in children.values()
    ):
        return BundleStatus.CONCLUDED
    return BundleStatus.IN_PROGRESS


_SEVERITY = {WarnLevel.DONE: 0, WarnLevel.GREEN: 1, WarnLevel.PAUSED: 2, WarnLevel.YELLOW: 3, WarnLevel.RED: 4}


def worst(levels: Iterable[WarnLevel]) -> WarnLevel:
    """The worst colour (RED > YELLOW > PAUSED > GREEN > DONE); GREEN for none."""
    return max(levels, key=_SEVERITY.__getitem__, default=WarnLevel.GREEN)


def roll_up_level(status: BundleStatus, own: WarnLevel, children: Iterable[WarnLevel]) -> WarnLevel:
    """The bundle's colour: DONE once concluded or failed; else the worst of its own promised total and its
    open children's colours (a child's PAUSED does not stop the bundle's own clock)."""
    if status is not BundleStatus.IN_PROGRESS:
        return WarnLevel.DONE
    return worst([own, *(level for level in children if level is not WarnLevel.DONE)])
