"""Administrator forms: users, station scopes, the working-day calendar."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..auth.forms import PasswordPolicy
from ..auth.models import Role, User
from ..catalog.models import ServiceItem
from ..enterprises.models import Enterprise
from ..extensions import db
from ..sites.labels import SCOPE_MODE_LABELS
from ..sites.models import ScopeMode, Station, StationItem
from ..web.forms import CreditCode

ROLE_LABELS = {
    Role.ADMIN: _l("系统管理员"),
    Role.CENTRAL: _l("政务中心（只读督办）"),
    Role.STAFF: _l("驿站工作人员"),
    Role.CLERK: _l("办事专员"),
    Role.ENTERPRISE: _l("企业用户"),
}
MODE_LABELS = SCOPE_MODE_LABELS
USERNAME_RE = r"^[a-z0-9][a-z0-9._-]{2,63}$"


def role_choices(blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


def station_choices(blank) -> list[SelectChoice]:
    stations = db.session.execute(select(Station.code, Station.name).order_by(Station.sort_order, Station.code))
    return [SelectChoice("", blank), *(SelectChoice(code, f"{code} {name}") for code, name in stations)]


def mode_choices() -> list[SelectChoice]:
    return [SelectChoice(mode.value, label) for mode, label in MODE_LABELS.items()]


class UserFilterForm(FlaskForm):
    """The GET filter above the user list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    role = SelectField(_l("角色"), validators=[Optional()])
    station = SelectField(_l("驿站"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices(blank=_l("全部角色"))
        self.station.choices = station_choices(blank=_l("全部驿站"))


class _UserFields(FlaskForm):
    """Role, station and enterprise: which of them a role needs is checked here (domain.md §2)."""

    display_name = StringField(_l("显示名称"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("角色"), validators=[InputRequired()])
    station = SelectField(_l("所在驿站（工作人员、办事专员必填）"), validators=[Optional()])
    enterprise_uscc = StringField(
        _l("所属企业统一社会信用代码（企业用户必填）"), validators=[Optional(), Length(max=30), CreditCode()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self:
            self.role.choices = role_choices()
        self.station.choices = station_choices(blank=_l("（无）"))
        self.station_obj: Station | None = None
        self.enterprise_obj: Enterprise | None = None

    def selected_role(self, fallback: Role | None = None) -> Role | None:
        if "role" in self and self.role.data in Role.__members__:
            return Role(self.role.data)
        return fallback

    def check_assignment(self, role: Role | None) -> bool:
        """Resolve station and enterprise for ``role``; add field errors. Returns True when consistent."""
        ok = True
        if self.station.data:
            self.station_obj = db.session.scalar(select(Station).where(Station.code == self.station.data))
        if role is not None and role.works_at_station and self.station_obj is None:
            self.station.errors = [*self.station.errors, _l("驿站工作人员和办事专员必须选择所在驿站。")]
            ok = False
        if role is Role.ENTERPRISE:
            if not self.enterprise_uscc.data:
                self.enterprise_uscc.errors = [*self.enterprise_uscc.errors, _l("企业用户必须填写所属企业的信用代码。")]
                ok = False
            elif not self.enterprise_uscc.errors:
                self.enterprise_obj = db.session.scalar(
                    select(Enterprise).where(Enterprise.uscc == self.enterprise_uscc.data)
                )
                if self.enterprise_obj is None:
                    self.enterprise_uscc.errors = [*self.enterprise_uscc.errors, _l("系统中没有该信用代码的企业。")]
                    ok = False
        return ok


class UserCreateForm(_UserFields):
    username = StringField(
        _l("用户名"),
        validators=[
            DataRequired(),
            Regexp(USERNAME_RE, message=_l("用户名为3–64位小写字母、数字或 . _ -，以字母或数字开头。")),
        ],
    )
    password = PasswordField(
        _l("初始密码"),
        validators=[DataRequired(), PasswordPolicy(("username", "display_name"))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("确认初始密码"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )

    def validate_username(self, field):
        if db.session.scalar(select(User.id).where(User.username == field.data)):
            raise ValidationError(_l("该用户名已被使用。"))

    def validate_confirm_password(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("两次输入的密码不一致。"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.check_assignment(self.selected_role()) and ok


class UserEditForm(_UserFields):
    is_enabled = BooleanField(_l("账号可用"))

    def __init__(self, *args, user: User, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.id == actor.id:
            # Nobody changes their own role or disables themselves: the fields are not even offered.
            del self.role
            del self.is_enabled

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.check_assignment(self.selected_role(fallback=self.user.role)) and ok


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("新密码"), validators=[DataRequired(), PasswordPolicy()], render_kw={"autocomplete": "new-password"}
    )
    confirm_password = PasswordField(
        _l("确认新密码"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_context = (user.username, user.display_name)

    def validate_confirm_password(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("两次输入的密码不一致。"))


class ActionForm(FlaskForm):
    """A button that posts (unlock, disable, remove): only the CSRF token."""


class ScopeAddForm(FlaskForm):
    item_code = StringField(_l("事项编码"), validators=[DataRequired(), Length(max=40)])
    mode = SelectField(_l("办理方式"), default=ScopeMode.ACCEPT.value)

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = mode_choices()
        self.station = station
        self.item: ServiceItem | None = None

    def validate_item_code(self, field):
        code = field.data.strip().upper()
        field.data = code
        self.item = db.session.scalar(select(ServiceItem).where(ServiceItem.code == code))
        if self.item is None or not self.item.is_active:
            raise ValidationError(_l("没有编码为 %(code)s 的在用事项。", code=code))
        taken = db.session.scalar(
            select(StationItem.id).where(StationItem.station_id == self.station.id, StationItem.item_id == self.item.id)
        )
        if taken:
            raise ValidationError(_l("该事项已在本驿站的办理范围内。"))


class ScopeModeForm(FlaskForm):
    mode = SelectField(_l("办理方式"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = mode_choices()


class CalendarToggleForm(FlaskForm):
    day = DateField(_l("日期"), validators=[InputRequired()])


class CalendarDayForm(FlaskForm):
    day = DateField(_l("日期"), validators=[InputRequired()])
    kind = SelectField(
        _l("类型"),
        choices=[
            SelectChoice("work", _l("工作日（含调休上班）")),
            SelectChoice("off", _l("休息日（周末或法定节假日）")),
        ],
    )
    note = StringField(_l("说明（如节日名称）"), validators=[Optional(), Length(max=50)])


class CalendarLoadForm(FlaskForm):
    year = IntegerField(_l("年份"), validators=[InputRequired(), NumberRange(min=2004, max=2100)])
