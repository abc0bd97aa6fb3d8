"""Login and password forms, and the password-policy validator shared with the administrator's forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..domain.passwords import MAX_LENGTH, MIN_LENGTH, password_problems


def password_profile() -> str:
    return current_app.config["PASSWORD_PROFILE"]


def password_messages(problems: Iterable[str], profile: str | None = None) -> list[str]:
    """Chinese messages (translated at render time) for the codes of ``domain.passwords.password_problems``."""
    profile = profile or password_profile()
    texts = {
        "too_short": _("密码至少需要 %(n)s 位。", n=MIN_LENGTH.get(profile, 8)),
        "too_long": _("密码不能超过 %(n)s 位。", n=MAX_LENGTH),
        "classes": _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
        "common": _("该密码过于常见，容易被猜中，请换一个。"),
        "context": _("密码不能由用户名、姓名或本系统名称等容易联想的词构成。"),
        "same": _("新密码不能与当前密码相同。"),
    }
    return [texts.get(code, _("密码不符合要求。")) for code in problems]


def password_hint(profile: str | None = None) -> str:
    """The rules of the active profile, shown next to every new-password field."""
    profile = profile or password_profile()
    if profile == "asvs":
        return _("密码至少 %(n)s 位（可用长句），不能使用常见密码或用户名。", n=MIN_LENGTH["asvs"])
    return _(
        "密码至少 %(n)s 位，须包含大写字母、小写字母、数字、符号中的三类，不能使用常见密码或用户名。",
        n=MIN_LENGTH["dengbao"],
    )


class PasswordPolicy:
    """WTForms validator: the password rules of PASSWORD_PROFILE (length, classes, blocklist, context words).

    ``context_fields`` name other fields of the form whose values the password must not be built from
    (the username, the display name); a form may also carry extra words in ``form.password_context``.
    """

    def __init__(self, context_fields: Iterable[str] = ()):
        self.context_fields = tuple(context_fields)

    def __call__(self, form, field):
        if not field.data:
            return
        words = [str(getattr(form, name).data or "") for name in self.context_fields if hasattr(form, name)]
        words.extend(getattr(form, "password_context", ()))
        problems = password_problems(field.data, password_profile(), context_words=words)
        if problems:
            raise ValidationError(" ".join(password_messages(problems)))


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(), Length(max=64)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("密码"), validators=[DataRequired(), Length(max=256)], render_kw={"autocomplete": "current-password"}
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("当前密码"), validators=[DataRequired(), Length(max=256)], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("新密码"), validators=[DataRequired(), PasswordPolicy()], render_kw={"autocomplete": "new-password"}
    )
    confirm_password = PasswordField(
        _l("确认新密码"), validators=[DataRequired(), Length(max=256)], render_kw={"autocomplete": "new-password"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_context = (current_user.username, current_user.display_name)

    def validate_current_password(self, field):
        if not check_password_hash(current_user.password_hash, field.data):
            raise ValidationError(_l("当前密码不正确。"))

    def validate_new_password(self, field):
        if field.data and check_password_hash(current_user.password_hash, field.data):
            raise ValidationError(password_messages(["same"])[0])

    def validate_confirm_password(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("两次输入的新密码不一致。"))


class MfaCodeForm(FlaskForm):
    """A 6-digit code from the authenticator app, or a recovery code (xxxx-xxxx)."""

    code = StringField(
        _l("验证码"),
        validators=[
            DataRequired(message=_l("请输入验证码。")),
            Length(min=6, max=12, message=_l("验证码为 6 位数字。")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )
