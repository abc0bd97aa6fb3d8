"""Titles of the notification kinds (gettext msgids, translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import NotificationKind

KIND_LABELS = {
    NotificationKind.CASE_ACCEPTED: _l("办件已受理"),
    NotificationKind.CORRECTION_NEEDED: _l("办件需要补正材料"),
    NotificationKind.MATERIAL_MISSING: _l("已容缺受理，请按期补齐材料"),
    NotificationKind.MATERIAL_EXPIRING: _l("材料即将过期"),
    NotificationKind.DECISION: _l("办件已作出审批决定"),
    NotificationKind.DECISION_APPROVED: _l("办件已办结：准予许可"),
    NotificationKind.DECISION_REFUSED: _l("办件未获通过，请查看理由"),
    NotificationKind.RESULT_READY: _l("办理结果已出"),
    NotificationKind.RATING_INVITED: _l("办件已送达，请您评价"),
    NotificationKind.RATING_ANSWERED: _l("您的评价已得到整改反馈"),
    NotificationKind.RECTIFICATION_OPENED: _l("收到差评，请及时整改"),
    NotificationKind.APPLICATION_RECEIVED: _l("收到企业网上申请，请及时核验材料"),
    NotificationKind.DEADLINE_YELLOW: _l("办件即将到期（黄色预警）"),
    NotificationKind.DEADLINE_RED: _l("办件已超期（红色预警）"),
    NotificationKind.RONGQUE_DUE: _l("容缺材料补齐期限将至"),
    NotificationKind.DEPARTMENT_DIGEST: _l("本部门今日预警汇总"),
    NotificationKind.APPEAL_UPDATE: _l("企业诉求有新进展"),
    NotificationKind.MEETING_REQUESTED: _l("收到企业约见申请，请及时联系企业"),
    NotificationKind.MEETING_CONTACTED: _l("您的约见申请已受理，工作人员正在联系部门"),
    NotificationKind.MEETING_SCHEDULED: _l("约见时间已确定"),
    NotificationKind.MEETING_CANCELLED: _l("约见已取消"),
    NotificationKind.MEETING_REMINDER: _l("约见提醒"),
    NotificationKind.SESSION_CONFIRMED: _l("政策宣讲报名已确认"),
    NotificationKind.SESSION_CHANGED: _l("政策宣讲安排有变"),
}
