"""Forms of the bundle pages: one application (一表申请) and a bundle's definition."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ..catalog.models import ServiceItem
from ..extensions import db
from .models import BundleLevel
from .services import MemberInput

LEVEL_LABELS = {
    BundleLevel.NATIONAL: _l("国家/省/市/新区推出"),
    BundleLevel.BATCH1: _l("省级和新区统筹第一批"),
    BundleLevel.LOCAL: _l("新城本级套餐"),
}
OPTIONAL_MARKS = ("可选", "optional")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ApplyForm(FlaskForm):
    """一表申请: the enterprise (a new one may be registered at the counter), the person filing."""

    enterprise_uscc = StringField(
        _l("统一社会信用代码"), id="bundle-uscc", filters=[_strip], validators=[Optional(), Length(max=40)]
    )
    enterprise_name = StringField(
        _l("企业名称（新企业填写）"), id="bundle-enterprise-name", filters=[_strip], validators=[Length(max=200)]
    )
    applicant_name = StringField(
        _l("经办人"),
        id="bundle-applicant",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写经办人姓名。")), Length(max=100)],
    )
    applicant_phone = StringField(
        _l("联系电话"),
        id="bundle-phone",
        filters=[_strip],
        validators=[Optional(), Regexp(r"^[0-9+\- ]{5,20}$", message=_l("电话号码格式不正确。"))],
    )


class BundleForm(FlaskForm):
    code = StringField(
        _l("套餐编码"),
        id="bundle-code",
        filters=[_strip],
        validators=[
            InputRequired(message=_l("请填写套餐编码。")),
            Regexp(r"^[A-Za-z0-9-]{2,20}$", message=_l("编码只能由字母、数字和“-”组成（2-20位）。")),
        ],
    )
    name = StringField(
        _l("名称"),
        id="bundle-name",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写名称。")), Length(max=100)],
    )
    level = SelectField(
        _l("级别"), id="bundle-level", choices=[SelectChoice(k.value, v) for k, v in LEVEL_LABELS.items()]
    )
    is_online = BooleanField(_l("可网上申请"), id="bundle-online")
    promised_days = IntegerField(
        _l("承诺总时限（工作日）"),
        id="bundle-days",
        validators=[InputRequired(message=_l("请填写承诺总时限。")), NumberRange(min=0, max=365)],
    )
    scenario_text = TextAreaField(_l("适用情形"), id="bundle-scenario", filters=[_strip], validators=[Length(max=2000)])
    members = TextAreaField(
        _l("成员事项（每行一项：事项编码 | 前置序号，逗号分隔 | 可选 | 合作地区编码）"),
        id="bundle-members",
        filters=[_strip],
        validators=[InputRequired(message=_l("请至少填写一个成员事项。")), Length(max=5000)],
        render_kw={"rows": 8},
    )


@dataclass
class MemberLines:
    members: list[MemberInput]
    errors: list[str]


def parse_members(text: str) -> MemberLines:
    """Lines ``item code | 1,2 | 可选``; the line number is the member's seq. Errors name the line."""
    members, errors = [], []
    for seq, line in enumerate([raw for raw in text.splitlines() if raw.strip()], start=1):
        parts = [part.strip() for part in line.split("|")]
        code = parts[0]
        item_id = db.session.scalar(select(ServiceItem.id).where(ServiceItem.code == code)) if code else None
        if item_id is None:
            errors.append(str(_l("第 %(n)s 行：没有编码为“%(code)s”的事项。", n=seq, code=code[:40])))
            continue
        deps_text = parts[1] if len(parts) > 1 else ""
        deps = [d.strip() for d in deps_text.replace(",", ",").split(",") if d.strip()]
        if not all(d.isdigit() and len(d) < 4 for d in deps):
            errors.append(str(_l("第 %(n)s 行：前置序号须为数字。", n=seq)))
            continue
        optional = len(parts) > 2 and parts[2].lower() in OPTIONAL_MARKS
        partner = parts[3].upper()[:16] if len(parts) > 3 and parts[3] else None
        members.append(MemberInput(seq, item_id, [int(d) for d in deps], optional, partner))
    return MemberLines(members, errors)


def member_lines(bundle) -> str:
    """The members of a saved bundle in the form's text format."""
    lines = []
    for m in bundle.members:
        deps = ",".join(str(d) for d in m.depends_on or [])
        line = f"{m.item.code} | {deps}" + (" | 可选" if m.is_optional else (" | " if m.partner_code else ""))
        lines.append(line + (f" | {m.partner_code}" if m.partner_code else ""))
    return "\n".join(lines)
