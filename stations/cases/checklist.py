"""The part of a case's checklist that the case machine's facts read, from a loaded case or as columns.

A queue page needs the facts of 25 cases and nothing else of their materials: building each material, its item
material and each 容缺 item as ORM objects was a fifth of the page's time (issue 21). ``checklists`` reads the same
values as columns; ``checklist_of`` takes them from a case already loaded (the case page, the services). The
facts are computed from either by the one function, ``services.facts_for``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from ..catalog.models import ItemMaterial
from ..domain.deficiency_flow import DeficiencyStatus
from ..extensions import db
from .models import Case, CaseMaterial, Deficiency, MaterialStatus


class MaterialLine(NamedTuple):
    status: MaterialStatus
    is_required: bool
    is_main: bool
    rongque_allowed: bool


class DeficiencyLine(NamedTuple):
    status: DeficiencyStatus
    supply_deadline: date


class Checklist(NamedTuple):
    materials: tuple[MaterialLine, ...] = ()
    deficiencies: tuple[DeficiencyLine, ...] = ()


def checklist_of(case: Case) -> Checklist:
    """A loaded case's checklist (loading its materials and 容缺 items if they are not yet)."""
    return Checklist(
        tuple(
            MaterialLine(
                m.status, m.item_material.is_required, m.item_material.is_main, m.item_material.rongque_allowed
            )
            for m in case.materials
        ),
        tuple(DeficiencyLine(d.status, d.supply_deadline) for d in case.deficiencies),
    )


def checklists(case_ids: Iterable[int]) -> dict[int, Checklist]:
    """The checklists of these cases, by case id (an empty one for a case without materials): two queries."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return {}
    materials: dict[int, list[MaterialLine]] = {case_id: [] for case_id in ids}
    deficiencies: dict[int, list[DeficiencyLine]] = {case_id: [] for case_id in ids}
    material_rows = db.session.execute(
        select(
            CaseMaterial.case_id,
            CaseMaterial.status,
            ItemMaterial.is_required,
            ItemMaterial.is_main,
            ItemMaterial.rongque_allowed,
        )
        .join(ItemMaterial, ItemMaterial.id == CaseMaterial.item_material_id)
        .where(CaseMaterial.case_id.in_(ids))
        .order_by(CaseMaterial.case_id, CaseMaterial.sort_order)
    )
    for case_id, *line in material_rows:
        materials[case_id].append(MaterialLine(*line))
    deficiency_rows = db.session.execute(
        select(Deficiency.case_id, Deficiency.status, Deficiency.supply_deadline)
        .where(Deficiency.case_id.in_(ids))
        .order_by(Deficiency.case_id, Deficiency.id)
    )
    for case_id, *line in deficiency_rows:
        deficiencies[case_id].append(DeficiencyLine(*line))
    return {case_id: Checklist(tuple(materials[case_id]), tuple(deficiencies[case_id])) for case_id in ids}
