"""Administrator forms for partner districts, their agreement items and signing keys (validated in place)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..catalog.models import ServiceItem
from ..extensions import db
from . import egress, keys, tls
from .models import AgreementKind, PartnerItem, PartnerKey, PartnerRegion

KIND_LABELS = {AgreementKind.CROSS_REGION: _l("跨区通办"), AgreementKind.SAME_STANDARD: _l("同事同标")}
CODE_RE = r"^[A-Z][A-Z0-9]{1,15}$"
IDENT_RE = r"^[A-Za-z0-9._-]+$"


class PartnerForm(FlaskForm):
    """A partner district. Its code is what it signs as, so it is set once, when the partner is created."""

    code = StringField(
        _l("地区编码"),
        validators=[DataRequired(), Regexp(CODE_RE, message=_l("编码为2–16位大写字母或数字，以字母开头。"))],
    )
    name = StringField(_l("地区名称"), validators=[DataRequired(), Length(max=100)])
    agreement_kind = SelectField(_l("协议类型"), default=AgreementKind.CROSS_REGION.value)
    agreed_item_count = IntegerField(
        _l("协议事项数"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10000)]
    )
    base_url = StringField(_l("接口地址"), validators=[Optional(), Length(max=300)])
    is_active = BooleanField(_l("启用"), default=True)
    ca_bundle_pem = TextAreaField(_l("对方 TLS 根证书（PEM，可选）"), validators=[Optional(), Length(max=20000)])

    def __init__(self, *args, partner: PartnerRegion | None = None, **kwargs):
        super().__init__(*args, obj=partner, **kwargs)
        self.partner = partner
        self.agreement_kind.choices = [(kind.value, label) for kind, label in KIND_LABELS.items()]
        if partner is not None:
            del self.code
            if not self.is_submitted():
                self.agreement_kind.data = partner.agreement_kind.value

    def validate_code(self, field):
        field.data = field.data.strip().upper()
        if db.session.scalar(select(PartnerRegion.id).where(PartnerRegion.code == field.data)):
            raise ValidationError(_l("该编码已被使用。"))

    def validate_base_url(self, field):
        field.data = field.data.strip()
        if not egress.well_formed(field.data):
            raise ValidationError(_l("请填写 http(s) 地址，不含用户名、密码、查询参数。"))
        if not egress.is_allowed(field.data):
            raise ValidationError(_l("该地址不在允许访问的地址清单中（FEDERATION_EGRESS_ALLOWLIST）。"))

    def validate_ca_bundle_pem(self, field):
        field.data = field.data.strip()
        if field.data and not tls.valid_ca_pem(field.data):
            raise ValidationError(_l("不是有效的 PEM 证书。"))


class PartnerItemForm(FlaskForm):
    """One item of the agreement: our item and the partner's code and name for it."""

    item_code = StringField(_l("本地事项编码"), validators=[DataRequired(), Length(max=40)])
    partner_item_code = StringField(
        _l("对方事项编码（留空按“地区编码-本地编码”生成）"),
        validators=[Optional(), Length(max=64), Regexp(IDENT_RE, message=_l("只能包含字母、数字和 . _ -。"))],
    )
    partner_item_name = StringField(_l("对方事项名称（留空同本地名称）"), validators=[Optional(), Length(max=200)])
    is_same_standard = BooleanField(_l("同事同标"))

    def __init__(self, *args, partner: PartnerRegion, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.item: ServiceItem | None = None
        if not self.is_submitted():
            self.is_same_standard.data = partner.agreement_kind is AgreementKind.SAME_STANDARD

    def validate_item_code(self, field):
        code = field.data.strip().upper()
        field.data = code
        self.item = db.session.scalar(select(ServiceItem).where(ServiceItem.code == code))
        if self.item is None or not self.item.is_active:
            raise ValidationError(_l("没有编码为 %(code)s 的在用事项。", code=code))
        taken = db.session.scalar(
            select(PartnerItem.id).where(
                PartnerItem.partner_id == self.partner.id, PartnerItem.local_item_id == self.item.id
            )
        )
        if taken:
            raise ValidationError(_l("该事项已在本协议的事项清单中。"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.partner_item_code.data:
            self.partner_item_code.data = f"{self.partner.code}-{self.item.code}"[:64]
        if not self.partner_item_name.data:
            self.partner_item_name.data = self.item.name
        ok = True
        taken = db.session.scalar(
            select(PartnerItem.id).where(
                PartnerItem.partner_id == self.partner.id,
                PartnerItem.partner_item_code == self.partner_item_code.data,
            )
        )
        if taken:
            self.partner_item_code.errors = [*self.partner_item_code.errors, _l("对方事项编码已被使用。")]
            ok = False
        if self.is_same_standard.data and self.partner_item_name.data != self.item.name:
            # 同事同标: same name, standard, materials and time limit (domain.md §4.8 rule 3).
            self.partner_item_name.errors = [
                *self.partner_item_name.errors,
                _l("同事同标事项的名称须与本地事项名称一致。"),
            ]
            ok = False
        return ok


class PartnerKeyForm(FlaskForm):
    """A new signing key: it starts after ``starts_in_hours`` (time for the partner to install it)."""

    key_id = StringField(
        _l("密钥编号"),
        validators=[DataRequired(), Length(max=32), Regexp(IDENT_RE, message=_l("只能包含字母、数字和 . _ -。"))],
    )
    secret = StringField(
        _l("密钥（留空则自动生成）"),
        validators=[Optional(), Length(min=32, max=128)],
        render_kw={"autocomplete": "off"},
    )
    starts_in_hours = IntegerField(
        _l("几小时后启用"), default=0, validators=[InputRequired(), NumberRange(min=0, max=720)]
    )
    valid_days = IntegerField(_l("有效天数"), default=365, validators=[InputRequired(), NumberRange(min=1, max=3650)])

    def __init__(self, *args, partner: PartnerRegion, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner

    def validate_key_id(self, field):
        field.data = field.data.strip()
        taken = db.session.scalar(
            select(PartnerKey.id).where(PartnerKey.partner_id == self.partner.id, PartnerKey.key_id == field.data)
        )
        legacy = self.partner.shared_key and not keys.key_rows(self.partner) and field.data == keys.MIGRATED_KEY_ID
        if taken or legacy:
            raise ValidationError(_l("该密钥编号已被使用。"))


class ActionForm(FlaskForm):
    """A button that posts (remove an item, retire a key): only the CSRF token."""
