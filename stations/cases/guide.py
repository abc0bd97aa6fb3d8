"""The case page as the applicant sees it: the timeline in plain words, what is missing, what to do next.

Staff read status names and event labels; an enterprise user wants sentences ("请在 5 月 20 日前补交以下材料").
Everything here works on a case already loaded by ``queries.case_for`` (no SQL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.case_vocabulary import CaseStatus
from ..domain.deficiency_flow import DeficiencyStatus
from .models import Case, CaseEventRecord, CaseMaterial, Deficiency, MaterialStatus
from .services import HAND_OVER_EVENT, SUPPLIABLE_MATERIALS, SUPPLY_MATERIAL_STATUSES

# Events of the timeline, told to the applicant (event values of CaseEvent / DeficiencyEvent, plus hand_over).
PLAIN_EVENTS = {
    "receive": _l("申请已收件"),
    "withdraw": _l("申请已撤回"),
    "accept": _l("申请已受理，开始计算办理时限"),
    "accept_with_deficiency": _l("申请已容缺受理，请按期补齐所缺材料"),
    "request_correction": _l("需要补正材料（一次性告知）"),
    "correction_done": _l("补正材料已收齐，继续办理"),
    "refuse": _l("申请不予受理"),
    "start_review": _l("部门开始审查"),
    "decide_approve": _l("审批通过"),
    "decide_reject": _l("审批未通过"),
    "issue": _l("办理结果已出"),
    "deliver": _l("办理结果已送达"),
    "terminate": _l("办件已终止"),
    "recall": _l("申请已撤回"),
    "supply": _l("补交了材料"),
    "verify": _l("补交的材料已核验通过"),
    "reject_supply": _l("补交的材料未通过核验，请重新补交"),
    "forward": _l("申请已转至合作地区办理"),
    "sign_for": _l("已签收合作地区转来的申请"),
    "partner_sign": _l("合作地区已签收您的申请"),
    "partner_status": _l("合作地区办理进度有更新"),
    "result_return": _l("合作地区已办结，办理结果已返回驿站"),
    "partner_reject": _l("合作地区审批未通过"),
    "partner_refuse": _l("合作地区不予受理"),
    "xr_supplement": _l("补正材料已转交合作地区"),
    "partner_supplement": _l("收到合作地区转交的补正材料"),
    HAND_OVER_EVENT: _l("办事专员已变更"),
    # The two tiers and the legal clock (issue 12).
    "to_department": _l("申请已转交后台业务部门审批"),
    "start_special": _l("进入特别程序（听证、检验、专家评审等），期间不计入办理时限"),
    "end_special": _l("特别程序结束，继续计算办理时限"),
    "extend": _l("经批准，办理时限延长 10 个工作日"),
    "deemed_accept": _l("收件后 5 个工作日内未告知补正，依法视为已受理"),
}
# Labels for staff of events that are not state-machine events.
OTHER_EVENT_LABELS = {
    HAND_OVER_EVENT: _l("更换办事专员"),
    "xr_supplement": _l("转交补正材料"),  # cross-region: timeline entries that change no status
    "partner_supplement": _l("收到转交的补正材料"),
    "to_department": _l("转交后台"),
}

MISSING_KIND_LABELS = {
    "rongque": _l("容缺待补"),
    "correction": _l("需补正"),
    "missing": _l("未提交"),
}


def plain_event(record: CaseEventRecord) -> str:
    text = PLAIN_EVENTS.get(record.event)
    return str(text) if text is not None else record.event


@dataclass
class MissingRow:
    """One material the applicant still owes: a 容缺 item (supplied on its row) or a material to hand in."""

    name: str
    kind: str  # rongque | correction | missing
    deadline: date | None = None
    deficiency: Deficiency | None = None
    material: CaseMaterial | None = None
    can_supply: bool = False  # a material the applicant may hand in from this page

    @property
    def kind_label(self) -> str:
        return str(MISSING_KIND_LABELS[self.kind])


@dataclass
class Guide:
    steps: list[str] = field(default_factory=list)
    missing: list[MissingRow] = field(default_factory=list)
    waiting: list[Deficiency] = field(default_factory=list)  # supplied, being checked

    @property
    def can_supply(self) -> bool:
        return any(row.can_supply for row in self.missing)


def _day(value: date) -> dict[str, int]:
    return {"month": value.month, "day": value.day}


def applicant_guide(case: Case, *, can_act: bool, today: date) -> Guide:
    """What the applicant still owes on this case and what happens next, in sentences."""
    guide = Guide()
    pending = [d for d in case.deficiencies if d.status is DeficiencyStatus.PENDING]
    guide.waiting = [d for d in case.deficiencies if d.status is DeficiencyStatus.SUPPLIED]
    for deficiency in sorted(pending, key=lambda d: (d.supply_deadline, d.id)):
        guide.missing.append(
            MissingRow(
                deficiency.case_material.item_material.name,
                "rongque",
                deadline=deficiency.supply_deadline,
                deficiency=deficiency,
            )
        )
    supplying = can_act and case.status in SUPPLY_MATERIAL_STATUSES
    for material in case.materials:
        if material.status not in SUPPLIABLE_MATERIALS or not material.item_material.is_required:
            continue
        if case.status not in SUPPLY_MATERIAL_STATUSES:
            continue
        kind = "correction" if material.status is MaterialStatus.NEEDS_CORRECTION else "missing"
        guide.missing.append(MissingRow(material.item_material.name, kind, material=material, can_supply=supplying))
    guide.steps = _steps(case, pending, guide, today)
    return guide


def _steps(case: Case, pending: list[Deficiency], guide: Guide, today: date) -> list[str]:
    status = case.status
    steps: list[str] = []
    if pending:
        first = min(d.supply_deadline for d in pending)
        if first < today:
            steps.append(_("补交期限已过，请尽快补交以下材料并联系您的办事专员，否则办件将被终止。"))
        else:
            steps.append(_("请在 %(month)s 月 %(day)s 日前补交以下材料。", **_day(first)))
    if guide.waiting:
        steps.append(_("您补交的材料已提交，正在核验。"))
    if status is CaseStatus.RECEIVED:
        if any(row.material for row in guide.missing):
            steps.append(_("请补交以下材料：可从“我的材料库”选择，或拍照上传。驿站核验齐全后受理。"))
        else:
            steps.append(_("驿站已收到您的申请，正在核验材料；受理后开始计算办理时限。"))
    elif status is CaseStatus.CORRECTION:
        steps.append(_("驿站已一次性告知需要补正的内容（见“补正告知”）。请补交以下材料，补齐后继续办理。"))
    elif status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW) and not pending:
        if case.due_on:
            steps.append(_("办件正在办理，承诺于 %(month)s 月 %(day)s 日前办结，目前无需您操作。", **_day(case.due_on)))
        else:
            steps.append(_("办件正在办理，目前无需您操作。"))
    elif status in (CaseStatus.APPROVED, CaseStatus.APPROVED_RQ):
        steps.append(_("审批已通过，正在制作办理结果。"))
    elif status is CaseStatus.REJECTED:
        steps.append(_("审批未通过，理由见“办理意见”。如有异议，可依法申请行政复议或提起行政诉讼。"))
    elif status is CaseStatus.ISSUED:
        steps.append(_("办理结果已出，请到%(station)s领取，或等待按约定方式送达。", station=case.station.name))
    elif status is CaseStatus.DELIVERED:
        steps.append(_("办理结果已送达，本件已办结。"))
    elif status in (CaseStatus.WITHDRAWN, CaseStatus.RECALLED):
        steps.append(_("本次申请已撤回。"))
    elif status is CaseStatus.REFUSED:
        steps.append(_("本次申请不予受理，理由见“说明”。"))
    elif status is CaseStatus.TERMINATED:
        steps.append(_("容缺材料逾期未补齐，办件已终止。"))
    elif status in (CaseStatus.FORWARDED, CaseStatus.PARTNER_SIGNED):
        steps.append(_("办件已转至合作地区办理。"))
    return steps
